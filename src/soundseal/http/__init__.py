"""HTTP plumbing that the API (`soundseal.api`) and the pages (`soundseal.web`) share.

The request context (`context`: settings, database, one transaction per request, the client's
address), request IDs and the one error body (`middleware`, `errors`), per-route body limits,
checks before the body and CORS (`edge`), rate limits and monthly quotas (`ratelimit`,
`quota`), and how uvicorn is run (`serving`). Neither `api` nor `web` imports the other: both
import this package, and `soundseal.app` mounts them on one application.
"""
