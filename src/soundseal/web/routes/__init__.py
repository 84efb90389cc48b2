"""The web pages' routers."""
