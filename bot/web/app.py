"""The customer's page as a WSGI application, mounted under `/pay/`.

GET `/pay/<token>` shows the page (and records the view); POST `/pay/<token>/<action>` carries
out one action through its service, then redirects back with a thank-you (post, redirect,
get). A link that does not hold gets a plain page that shows nothing of any account.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import date
from http import HTTPStatus
from urllib.parse import parse_qs, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.rendering.locale import customer_locale
from bot.runtime import Runtime
from bot.services import customer_page, page_links
from bot.services.customer_page import DISPUTE_REASONS, News, PageInvalid
from bot.services.page_links import LinkHolder, LinkRefused
from bot.web.ratelimit import RateLimiter
from bot.web.view import page_context, plan_rows
from bot.web.words import best_language, languages, words

log = logging.getLogger(__name__)

PREFIX = "/pay/"
MAX_FORM_BYTES = 16_384
ACTIONS = ("paid", "promise", "dispute", "plan", "contact")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español"}
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),  # the link is a credential: never sent onwards
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]

PostNews = Callable[[News], None]
COPY_SCRIPT = "web/copy.js"  # the one script the page runs, allowed by its hash


def with_script(headers: list[tuple[str, str]], script: str) -> list[tuple[str, str]]:
    """The headers with the policy allowing exactly `script` inline (CSP Level 2 hash source)."""
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return [
        (
            name,
            f"{value}; script-src 'sha256-{digest}'"
            if name == "Content-Security-Policy"
            else value,
        )
        for name, value in headers
    ]


class Response:
    def __init__(self, status: HTTPStatus, body: str = "", headers: list | None = None):
        self.status, self.body, self.headers = status, body, headers or []


class PageApp:
    """`post_news` tells the collectors (in Slack) what a customer did; a failure there is
    logged and never loses what the customer sent, which is already recorded."""

    def __init__(
        self,
        runtime: Runtime,
        post_news: PostNews,
        limiter: RateLimiter | None = None,
        on_view: Callable[[int], None] | None = None,
    ):
        """`on_view(reminder_id)` re-renders the customer's card once they opened the page."""
        self.runtime = runtime
        self.post_news = post_news
        self.on_view = on_view
        self.limiter = limiter or RateLimiter()
        self.env = Environment(
            loader=FileSystemLoader(runtime.settings.templates_dir),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.script = (runtime.settings.templates_dir / COPY_SCRIPT).read_text(encoding="utf-8")
        self.headers = with_script(HEADERS, self.script)

    # --- WSGI ------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            response = self.handle(environ)
        except Exception:
            log.exception("the customer page failed")
            response = Response(HTTPStatus.INTERNAL_SERVER_ERROR, "Something went wrong.")
        status = f"{response.status.value} {response.status.phrase}"
        body = response.body.encode()
        start_response(
            status, [*self.headers, *response.headers, ("Content-Length", str(len(body)))]
        )
        return [body]

    def handle(self, environ: dict) -> Response:
        path = environ.get("PATH_INFO", "")
        parts = path[len(PREFIX) :].split("/") if path.startswith(PREFIX) else []
        method = environ.get("REQUEST_METHOD", "GET")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if len(parts) == 1 and method in ("GET", "HEAD"):
            return self.show(environ, parts[0], query)
        if len(parts) == 2 and method == "POST" and parts[1] in ACTIONS:
            return self.act(environ, parts[0], parts[1])
        return Response(HTTPStatus.NOT_FOUND, "Not found.", [("Content-Type", "text/plain")])

    # --- pieces ----------------------------------------------------------------------------

    def _holder(
        self, token: str, language: str, environ: dict | None = None
    ) -> LinkHolder | Response:
        try:
            return page_links.resolve(
                self.runtime.engine, self.runtime.settings, token, self.runtime.now()
            )
        except LinkRefused as refused:
            settings = self.runtime.settings
            # the language asked for, else the customer's (a link we issued), else the browser's
            accepted = best_language(
                (environ or {}).get("HTTP_ACCEPT_LANGUAGE", ""), languages(settings.templates_dir)
            )
            chosen, t = words(settings.templates_dir, language or refused.language or accepted)
            status = HTTPStatus.GONE if refused.reason == "expired" else HTTPStatus.FORBIDDEN
            body = self.env.get_template("web/refused.html.j2").render(
                t=t, language=chosen, message=t[f"refused_{refused.reason}"], company=settings
            )
            return Response(status, body)

    def _today(self) -> date:
        return self.runtime.company_today(self.runtime.now())

    def render(
        self,
        holder: LinkHolder,
        token: str,
        language: str,
        *,
        done: str = "",
        open_form: str = "",
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status: HTTPStatus = HTTPStatus.OK,
        plan: customer_page.PlanProposal | None = None,
    ) -> Response:
        settings = self.runtime.settings
        today = self._today()
        data = customer_page.load_page(
            self.runtime.engine, self.runtime.governing(), holder.customer_id, today
        )
        chosen, t = words(settings.templates_dir, language or data.language)
        available = languages(settings.templates_dir)
        body = self.env.get_template("web/page.html.j2").render(
            t=t,
            language=chosen,
            switch=[(code, LANGUAGE_NAMES.get(code, code)) for code in available],
            company=settings,
            base=PREFIX + token,
            csrf=page_links.csrf_token(settings, holder),
            reasons=DISPUTE_REASONS,
            promise_max=data.latest_promise.isoformat(),
            done=t.get(f"done_{done}", "") if done else "",
            open_form=open_form,
            errors=errors or {},
            values=values or {},
            **page_context(data, settings, t, chosen, today),
            plan=plan_rows(plan, customer_locale(chosen, data.country)) if plan else [],
            script=Markup(self.script),
        )
        return Response(status, body)

    def show(self, environ: dict, token: str, query: dict[str, str]) -> Response:
        language = query.get("lang", "")
        holder = self._holder(token, language, environ)
        if isinstance(holder, Response):
            return holder
        card = customer_page.record_view(self.runtime.engine, holder, _client(environ))
        if card is not None and self.on_view is not None:
            self.on_view(card)
        return self.render(holder, token, language, done=query.get("done", ""))

    def act(self, environ: dict, token: str, action: str) -> Response:
        form = _form(environ)
        language = form.get("lang", "")
        holder = self._holder(token, language, environ)
        if isinstance(holder, Response):
            return holder
        _, t = words(self.runtime.settings.templates_dir, language or "en")
        if not self.limiter.allow(holder.public_id):
            return Response(HTTPStatus.TOO_MANY_REQUESTS, t["err_rate"], [("Retry-After", "60")])
        if not page_links.csrf_ok(self.runtime.settings, holder, form.get("csrf", "")):
            return self.render(
                holder,
                token,
                language,
                open_form=action,
                errors={"_form": t["err_csrf"]},
                status=HTTPStatus.FORBIDDEN,
            )
        if action == "plan" and form.get("step") != "send":  # the schedule first, then send
            return self._preview_plan(holder, token, language, form, t)
        try:
            news = self._carry_out(holder, action, form, _client(environ))
        except PageInvalid as bad:
            message = t.get(f"err_{bad.code}", t["error_intro"]).format(**bad.params)
            return self.render(
                holder,
                token,
                language,
                open_form=action,
                errors={bad.field: message},
                values=form,
                status=HTTPStatus.BAD_REQUEST,
            )
        try:
            self.post_news(news)
        except Exception:
            log.exception("could not post the customer's %s to Slack", action)
        target = f"{PREFIX}{token}?done={action}" + (f"&lang={quote(language)}" if language else "")
        return Response(HTTPStatus.SEE_OTHER, "", [("Location", target)])

    def _preview_plan(
        self, holder: LinkHolder, token: str, language: str, form: dict[str, str], t: dict
    ) -> Response:
        """The schedule the request would ask for, shown before the customer sends it."""
        try:
            proposal = customer_page.propose_plan(
                self.runtime.engine, self.runtime.governing(), holder, form, self._today()
            )
        except PageInvalid as bad:
            message = t.get(f"err_{bad.code}", t["error_intro"]).format(**bad.params)
            return self.render(
                holder,
                token,
                language,
                open_form="plan",
                errors={bad.field: message},
                values=form,
                status=HTTPStatus.BAD_REQUEST,
            )
        return self.render(holder, token, language, open_form="plan", values=form, plan=proposal)

    def _carry_out(
        self, holder: LinkHolder, action: str, form: dict[str, str], client: str
    ) -> News:
        engine, policies = self.runtime.engine, self.runtime.governing()
        digest = self.runtime.settings.digest_channel
        today = self._today()
        if action == "paid":
            return customer_page.say_paid(engine, policies, holder, client, form, today, digest)
        if action == "promise":
            return customer_page.promise(engine, policies, holder, client, form, today, digest)
        if action == "dispute":
            return customer_page.dispute(engine, holder, client, form, digest)
        if action == "plan":
            return customer_page.ask_plan(engine, policies, holder, client, form, today, digest)
        return customer_page.update_contact(engine, holder, client, form, digest)


def _client(environ: dict) -> str:
    return str(environ.get("REMOTE_ADDR", ""))


def _form(environ: dict) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length).decode("utf-8", errors="replace")
    # several invoices ticked: one a line (the only field the page repeats)
    return {
        k: "\n".join(v) if k == "invoice" else v[0]
        for k, v in parse_qs(raw, keep_blank_values=True).items()
    }
