"""Wijklab: neighbourhood learning labs for mixed mbo/hbo student teams."""

from __future__ import annotations

from flask import Flask


def create_app(config=None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, template helpers, CLI.

    ``config`` is a config class, or a mapping of overrides (with ``TESTING`` for the tests).
    Nothing here touches the schema: migrations do (``flask db upgrade``).
    """
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )

    from wijklab.config import load_config

    load_config(app, config)
    if app.config.get("PROXY_FIX"):
        # Exactly one proxy (nginx) in front: take the client's address, scheme and host from the
        # last X-Forwarded-* value it set, never from what a client sent before it.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from wijklab import models  # noqa: F401  (every model registered before first use)
    from wijklab.accounts.sessions import connect_signals, register_sessions
    from wijklab.extensions import (
        babel,
        csrf,
        db,
        limiter,
        login_manager,
        mail,
        migrate,
    )
    from wijklab.goals import summaries as goal_summaries  # noqa: F401  (kept after each flush)
    from wijklab.i18n import get_locale, get_timezone
    from wijklab.tasks import summaries as task_summaries  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=get_locale, timezone_selector=get_timezone)
    limiter.init_app(app)
    mail.init_app(app)
    register_sessions(app)
    connect_signals(app)

    from wijklab.accounts.import_views import bp as student_import_bp
    from wijklab.accounts.views import bp as accounts_bp
    from wijklab.activity.views import bp as activity_bp
    from wijklab.agenda.views import bp as agenda_bp
    from wijklab.agreements.views import bp as agreements_bp
    from wijklab.api.views import bp as api_bp
    from wijklab.exports.views import bp as exports_bp
    from wijklab.goals.views import bp as goals_bp
    from wijklab.neighbourhoods.views import bp as neighbourhoods_bp
    from wijklab.organisations.views import bp as organisations_bp
    from wijklab.privacy.views import bp as privacy_bp
    from wijklab.projects.views import bp as projects_bp
    from wijklab.projects.wish_views import bp as wishes_bp
    from wijklab.reports.views import bp as reports_bp
    from wijklab.review.views import bp as review_bp
    from wijklab.statements.views import bp as statements_bp
    from wijklab.tasks.views import bp as tasks_bp
    from wijklab.teams.views import bp as teams_bp

    for blueprint in (
        accounts_bp,
        student_import_bp,
        activity_bp,
        api_bp,
        neighbourhoods_bp,
        organisations_bp,
        projects_bp,
        wishes_bp,
        teams_bp,
        agreements_bp,
        tasks_bp,
        goals_bp,
        reports_bp,
        exports_bp,
        statements_bp,
        review_bp,
        privacy_bp,
        agenda_bp,
    ):
        app.register_blueprint(blueprint)
    from wijklab.accounts.oidc import register_oidc
    from wijklab.api.v1 import register_api

    register_oidc(app)
    register_api(app)

    from wijklab.errors import register_error_handlers
    from wijklab.security import register_security
    from wijklab.templating import register_template_helpers

    register_error_handlers(app)
    from wijklab.activity.outbox import register_outbox

    register_outbox(app)
    from wijklab.activity.listeners import connect_listeners

    connect_listeners(app)
    from wijklab.availability import register_availability
    from wijklab.inputs import register_input_checks

    register_availability(app)
    register_input_checks(app)
    register_security(app)
    register_template_helpers(app)
    from wijklab.caching import register_cache

    register_cache(app)
    from wijklab.pagecache import register_page_cache

    register_page_cache(app)

    from wijklab.cli import register_commands

    register_commands(app)
    # Reminders and digest sections register themselves with activity when imported.
    from wijklab.goals import schedules as _goal_schedules  # noqa: F401
    from wijklab.tasks import schedules as _task_schedules  # noqa: F401

    return app


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
