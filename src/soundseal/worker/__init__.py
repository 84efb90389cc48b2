"""Background work: webhook delivery (in the server process, or as `soundseal worker`)."""
