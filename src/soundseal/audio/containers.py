"""Which audio container a file holds, decided from its leading bytes alone.

FFmpeg guesses a file's format by probing its content *and* its name, and some of the formats it
can guess are not media but instructions: an HLS or M3U playlist, an ``ffconcat`` script, a DASH
manifest or an SDP description names other files and URLs for FFmpeg to open. A hostile upload
could make the server read its own files that way. So the audio core never lets FFmpeg or
``fpcalc`` guess: every input is sniffed here first, must be one of a short allow-list of audio
containers, and is then opened with that container's demuxer named explicitly.

The file name and any client-supplied content type are never looked at. Everything that is not
recognised is refused with :class:`~soundseal.audio.errors.UnsupportedContainer`, whose message
names what was seen (from the leading bytes only, so two playlists naming different paths are
refused alike).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from soundseal.audio.errors import UnsupportedContainer, UnsupportedMedia

__all__ = [
    "ACCEPTED_CONTAINERS",
    "SNIFF_BYTES",
    "Container",
    "sniff_container",
    "sniff_file",
]

# Enough for an MP3 frame pair, an Ogg page, an MP4 ftyp box or a Matroska EBML header.
SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Container:
    """An accepted container: ``name`` for people, ``demuxer`` for FFmpeg's ``-f``."""

    name: str
    demuxer: str


WAV = Container("WAV", "wav")
WAVE64 = Container("Wave64", "w64")
FLAC = Container("FLAC", "flac")
MP3 = Container("MP3/MP2", "mp3")
ADTS_AAC = Container("AAC (ADTS)", "aac")
OGG = Container("Ogg", "ogg")
MP4 = Container("MP4/M4A", "mov")
AIFF = Container("AIFF", "aiff")
CAF = Container("CAF", "caf")
MATROSKA = Container("Matroska/WebM", "matroska")

ACCEPTED_CONTAINERS = (WAV, WAVE64, FLAC, MP3, ADTS_AAC, OGG, MP4, AIFF, CAF, MATROSKA)


_ACCEPTED_NAMES = ", ".join(c.name for c in ACCEPTED_CONTAINERS)


def _refuse(seen: str) -> UnsupportedContainer:
    return UnsupportedContainer(seen, _ACCEPTED_NAMES)


_W64_RIFF = bytes.fromhex("726966662e91cf11a5d628db04c10000")
_W64_WAVE = bytes.fromhex("77617665f3acd3118cd100c04f8edb8a")
_EBML = b"\x1a\x45\xdf\xa3"
# ftyp brands of files that may carry audio; image brands (heic, avif, mif1, …) are not here.
_MP4_BRANDS = frozenset(
    b.encode()
    for b in (
        "M4A ", "M4B ", "M4P ", "M4V ", "F4A ", "F4B ", "F4V ", "mp41", "mp42", "mp71",
        "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9", "avc1",
        "dash", "msnv", "MSNV", "qt  ", "3gp4", "3gp5", "3gp6", "3gp7", "3gp8", "3gp9",
        "3g2a", "3g2b", "3g2c", "mmp4", "XAVC", "NDAS",
    )
)  # fmt: skip
_OGG_AUDIO = (b"\x01vorbis", b"OpusHead", b"\x7fFLAC", b"Speex   ")
_OGG_OTHER = ((b"\x80theora", "Theora video"), (b"fishead\x00", "an Ogg skeleton"))
# MPEG audio: kbit/s by [version is MPEG-1][layer 1..3][index]; Hz by [version][index].
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
_ADTS_RATE_COUNT = len(_ADTS_RATES)
# Non-audio inputs worth naming in the refusal, by their leading bytes.
_KNOWN_OTHERS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "an executable"),
    (b"FLV\x01", "an FLV video"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "an ASF/WMA file"),
    (b"MThd", "a MIDI file"),
)
# Text formats FFmpeg would follow or interpret, by how they begin (lower-cased).
_TEXT_FORMATS = (
    ("#extm3u", "an HLS/M3U playlist"),
    ("ffconcat", "an FFmpeg concat script"),
    ("v=0", "an SDP session description"),
    ("[playlist]", "a PLS playlist"),
    ("#!", "a script"),
)


def sniff_file(path: str | os.PathLike[str]) -> Container:
    """The container of the file at ``path`` (raises :class:`UnsupportedMedia`)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
            tag = _id3v2_length(head)
            if tag and tag + 16 > len(head):
                # A large ID3v2 tag (cover art): look at what follows it.
                handle.seek(tag)
                return _after_id3(handle.read(SNIFF_BYTES))
    except FileNotFoundError as exc:
        raise UnsupportedMedia(f"{os.path.basename(path)}: no such file") from exc
    except OSError as exc:
        raise UnsupportedMedia(f"{os.path.basename(path)}: not a readable file") from exc
    try:
        return sniff_container(head)
    except UnsupportedContainer as exc:
        raise UnsupportedContainer(exc.seen, exc.accepted, name=os.path.basename(path)) from None


def sniff_container(head: bytes) -> Container:
    """The container whose leading bytes are ``head``; :class:`UnsupportedContainer` if none."""
    if not head:
        raise _refuse("an empty file")
    tag = _id3v2_length(head)
    if tag:
        return _after_id3(head[tag:])
    for sniff in (_riff, _iff, _mp4, _ogg, _matroska):
        found = sniff(head)
        if found is not None:
            return found
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"caff" and head[4:6] == b"\x00\x01":
        return CAF
    if _adts_frames(head):
        return ADTS_AAC
    if _mpeg_frames(head):
        return MP3
    raise _refuse(_describe(head))


def _id3v2_length(head: bytes) -> int:
    """The whole ID3v2 tag's length when ``head`` starts with one, else 0."""
    if len(head) < 10 or head[:3] != b"ID3" or head[3] == 0xFF or head[4] == 0xFF:
        return 0
    size = head[6:10]
    if any(b & 0x80 for b in size):  # sizes are "synchsafe": 7 bits a byte
        return 0
    length = 10 + (size[0] << 21 | size[1] << 14 | size[2] << 7 | size[3])
    return length + 10 if head[5] & 0x10 else length  # a footer follows the tag


def _after_id3(rest: bytes) -> Container:
    # ID3v2 tags front MP3 files, and sometimes FLAC and ADTS streams; FFmpeg's mp3 demuxer
    # resynchronises on padding, so anything else after a tag is read as MP3.
    if rest[:4] == b"fLaC":
        return FLAC
    if _adts_frames(rest):
        return ADTS_AAC
    return MP3


def _riff(head: bytes) -> Container | None:
    if head[:4] in (b"RIFF", b"RF64", b"BW64"):
        if head[8:12] == b"WAVE":
            return WAV
        form = head[8:12].decode("latin-1")
        raise _refuse(f"a RIFF file of type {form!r}, not WAVE")
    if head[:16] == _W64_RIFF:
        if head[24:40] == _W64_WAVE:
            return WAVE64
        raise _refuse("a Wave64 file without WAVE data")
    return None


def _iff(head: bytes) -> Container | None:
    if head[:4] != b"FORM":
        return None
    if head[8:12] in (b"AIFF", b"AIFC"):
        return AIFF
    raise _refuse(f"an IFF file of type {head[8:12].decode('latin-1')!r}")


def _mp4(head: bytes) -> Container | None:
    if head[4:8] != b"ftyp":
        return None
    (size,) = struct.unpack(">I", head[:4])
    box = head[8 : min(size, len(head))]
    if size < 16 or len(box) < 8:
        raise _refuse("a malformed MP4 'ftyp' box")
    brands = {box[:4]} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & _MP4_BRANDS:
        return MP4
    major = box[:4].decode("latin-1")
    raise _refuse(f"an ISO media file of brand {major!r} (not audio)")


def _ogg(head: bytes) -> Container | None:
    if head[:4] != b"OggS":
        return None
    # The first pages of an Ogg file are the "beginning of stream" pages, one per logical
    # stream, each opening with its codec's identification packet.
    offset, seen = 0, "an Ogg file with no recognisable stream"
    while head[offset : offset + 4] == b"OggS" and offset + 27 <= len(head):
        if not head[offset + 5] & 0x02:
            break
        segments = head[offset + 26]
        body = offset + 27 + segments
        lacing = head[offset + 27 : body]
        packet = head[body : body + 8]
        if any(packet.startswith(codec) for codec in _OGG_AUDIO):
            return OGG
        for codec, name in _OGG_OTHER:
            if packet.startswith(codec):
                seen = f"an Ogg file with {name} and no audio stream"
        offset = body + sum(lacing)
    raise _refuse(seen)


def _matroska(head: bytes) -> Container | None:
    if head[:4] != _EBML:
        return None
    # The EBML header holds the DocType ("matroska" or "webm") in its first few dozen bytes.
    if b"\x42\x82" in head[:64] and (b"matroska" in head[:64] or b"webm" in head[:64]):
        return MATROSKA
    raise _refuse("an EBML file that is not Matroska or WebM")


def _mpeg_frame_length(header: bytes) -> int:
    """The length of the MPEG audio frame whose 4-byte header this is; 0 if not a valid one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return 0
    version = (header[1] >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer = 4 - ((header[1] >> 1) & 3)  # 1..3; 4 is reserved (and ADTS's sync)
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 3
    if version == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return 0  # free-format streams (index 0) cannot be checked, so are not accepted
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    rate = _MPEG_RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    per_frame = 144 if layer == 2 or mpeg1 else 72
    return per_frame * bitrate // rate + padding


def _mpeg_frames(head: bytes) -> bool:
    # One valid-looking header at the start is 1 in a few hundred for random bytes; a second
    # one exactly where the first frame ends, with the same version and layer, is not chance.
    first = _mpeg_frame_length(head[:4])
    if not first:
        return False
    second = head[first : first + 4]
    return bool(_mpeg_frame_length(second)) and (second[1] & 0xFE) == (head[1] & 0xFE)


def _adts_frame_length(header: bytes) -> int:
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return 0
    if (header[2] >> 2) & 0xF >= _ADTS_RATE_COUNT:
        return 0
    length = (header[3] & 0x3) << 11 | header[4] << 3 | header[5] >> 5
    return length if length >= 7 else 0


def _adts_frames(head: bytes) -> bool:
    first = _adts_frame_length(head[:7])
    return bool(first) and bool(_adts_frame_length(head[first : first + 7]))


def _describe(head: bytes) -> str:
    for magic, name in _KNOWN_OTHERS:
        if head.startswith(magic):
            return name
    if head[4:8] in (b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "a QuickTime file without an 'ftyp' box"
    text = _as_text(head)
    if text is None:
        return f"unrecognised binary data starting {head[:8].hex(' ')}"
    start = text.lstrip("\ufeff \t\r\n").lower()
    for prefix, name in _TEXT_FORMATS:
        if start.startswith(prefix):
            return name
    if start.startswith("<"):
        if "<mpd" in start:
            return "a DASH manifest (XML)"
        if "<html" in start or "<!doctype html" in start:
            return "an HTML document"
        return "an XML document"
    return "text"


def _as_text(head: bytes) -> str | None:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the sniff boundary
            return None
        text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text)
    return text if text and printable >= 0.95 * len(text) else None
