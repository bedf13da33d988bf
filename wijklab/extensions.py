"""Bare extension objects; create_app() binds them to the app."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from wijklab.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
# No default limits: only the routes that name a limit are limited (login, for now).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Figures that may be a minute old (wijklab/caching.py): on Redis, or in this process without.
cache = Cache()
