"""Extension objects, created unbound and bound to the app in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_smorest.arguments import ArgumentsMixin
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from handover.core.models import Base
from handover.core.numbers import BoundedArgumentsParser

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
rest_api = Api()

#: every API blueprint parses its arguments with this parser (set before any route is declared):
#: numbers the database cannot hold are refused with 422 instead of failing later with 500
ArgumentsMixin.ARGUMENTS_PARSER = BoundedArgumentsParser()
