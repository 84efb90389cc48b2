"""Everything a person sees in a browser: proof pages, badges, the seal widget and the
embed iframe, sign-up and the dashboard. Server-rendered; the only scripts are the two
widgets other sites load and the dashboard's copy buttons. `soundseal.web.app.install_web`
mounts it all on the API's app."""
