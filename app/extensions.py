"""Extension objects, bound to an app in `create_app`."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
compress = Compress()  # gzip/brotli for pages, JSON and static files
# Only routes that opt in are limited (the public submit). When the storage
# fails the limiter falls back to per-process memory instead of letting
# everything through.
limiter = Limiter(key_func=get_remote_address)
# Back office sessions; configured in `app.web.login.configure_login`.
login_manager = LoginManager()
