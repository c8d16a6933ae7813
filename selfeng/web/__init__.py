"""Web interface: Flask + Socket.IO page and REST API. See `selfeng.web.app`."""
from .app import create_app, serve

__all__ = ["create_app", "serve"]
