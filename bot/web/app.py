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
from dataclasses import replace
from datetime import date
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, quote
from wsgiref.types import StartResponse, WSGIEnvironment

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.rendering.locale import customer_locale
from bot.services.accounts import contact_changes
from bot.services.common.context import Runtime
from bot.services.delivery import copies
from bot.services.page import customer_page, dispute_files, page_links, page_visits
from bot.services.page.customer_page import DISPUTE_REASONS, News, PageInvalid
from bot.services.page.page_links import LinkHolder, LinkRefused
from bot.services.page.page_visits import Visit
from bot.services.page.statement import copy_words, statement_pdf
from bot.web import multipart
from bot.web.view import page_context, plan_rows
from bot.web.words import best_language, languages, words

log = logging.getLogger(__name__)

PREFIX = "/pay/"
MAX_FORM_BYTES = 16_384
#: a dispute's form with its file: the file's bound, the fields and the multipart framing
MAX_UPLOAD_BYTES = dispute_files.MAX_BYTES + MAX_FORM_BYTES
#: the most of a refused body read and dropped, so the browser gets to read the refusal
MAX_DRAINED_BYTES = 4 * MAX_UPLOAD_BYTES
ACTIONS = ("paid", "promise", "dispute", "plan", "contact")
DOWNLOADS = ("invoice", "statement")
#: the fields where a line break belongs: the customer's text, and the invoices ticked (one per
#: line; each must still be one of the customer's own numbers)
MULTILINE = frozenset({"text", "invoice"})
VISITED = "relance_visited"  # a cookie that tells a returning browser from a first fetch
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
    def __init__(
        self,
        status: HTTPStatus,
        body: str | bytes = "",
        headers: list[tuple[str, str]] | None = None,
    ):
        self.status, self.body, self.headers = status, body, headers or []


class PageApp:
    """`post_news` tells the collectors (in Slack) what a customer did; a failure there is
    logged and never loses what the customer sent, which is already recorded."""

    def __init__(
        self,
        runtime: Runtime,
        post_news: PostNews,
        on_view: Callable[[int], None] | None = None,
    ):
        """`on_view(reminder_id)` re-renders the customer's card once they opened the page."""
        self.runtime = runtime
        self.post_news = post_news
        self.on_view = on_view
        self.env = Environment(
            loader=FileSystemLoader(runtime.settings.templates_dir),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.script = (runtime.settings.templates_dir / COPY_SCRIPT).read_text(encoding="utf-8")
        self.headers = with_script(HEADERS, self.script)

    # --- WSGI ------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = self.handle(environ)
        except Exception:
            log.exception("the customer page failed")
            response = Response(HTTPStatus.INTERNAL_SERVER_ERROR, "Something went wrong.")
        status = f"{response.status.value} {response.status.phrase}"
        body = response.body if isinstance(response.body, bytes) else response.body.encode()
        own = {name.lower() for name, _value in response.headers}
        common = [(name, value) for name, value in self.headers if name.lower() not in own]
        start_response(status, [*common, *response.headers, ("Content-Length", str(len(body)))])
        return [body]

    def handle(self, environ: WSGIEnvironment) -> Response:
        path = environ.get("PATH_INFO", "")
        parts = path[len(PREFIX) :].split("/") if path.startswith(PREFIX) else []
        method = environ.get("REQUEST_METHOD", "GET")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if len(parts) == 1 and method in ("GET", "HEAD"):
            return self.show(environ, parts[0], query)
        if len(parts) == 2 and method in ("GET", "HEAD") and parts[1] in DOWNLOADS:
            return self.download(environ, parts[0], parts[1], query)
        if len(parts) == 2 and method == "POST" and parts[1] in ACTIONS:
            return self.act(environ, parts[0], parts[1])
        if len(parts) == 2 and method == "GET" and parts[0] == dispute_files.ROUTE:
            return self.staff_file(parts[1])
        return Response(HTTPStatus.NOT_FOUND, "Not found.", [("Content-Type", "text/plain")])

    # --- pieces ----------------------------------------------------------------------------

    def _holder(
        self, token: str, language: str, environ: WSGIEnvironment | None = None
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
            c=copy_words(settings.templates_dir, chosen)[1],
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

    def show(self, environ: WSGIEnvironment, token: str, query: dict[str, str]) -> Response:
        language = query.get("lang", "")
        holder = self._holder(token, language, environ)
        if isinstance(holder, Response):
            return holder
        if environ.get("REQUEST_METHOD") == "GET":  # a HEAD shows nothing and records nothing
            card = page_visits.record_visit(
                self.runtime.engine, holder, _visit(environ), self.runtime.now()
            )
            if card is not None and self.on_view is not None:
                self.on_view(card)
        shown = self.render(holder, token, language, done=query.get("done", ""))
        cookie = f"{VISITED}=1; Path={PREFIX}; Max-Age=31536000; HttpOnly; SameSite=Lax"
        shown.headers.append(("Set-Cookie", cookie))
        return shown

    def download(
        self, environ: WSGIEnvironment, token: str, what: str, query: dict[str, str]
    ) -> Response:
        """A copy of one of the link holder's invoices, or their statement of account, as a
        file to save (never shown inline)."""
        holder = self._holder(token, query.get("lang", ""))
        if isinstance(holder, Response):
            return holder
        engine, settings = self.runtime.engine, self.runtime.settings
        # each copy made counts against the link's rate, as a form sent does
        if not page_visits.allow_post(engine, holder, self.runtime.now()):
            return Response(HTTPStatus.TOO_MANY_REQUESTS, "", [("Retry-After", "60")])
        number = query.get("n", "") if what == "invoice" else ""
        if what == "statement":
            data = customer_page.load_page(
                engine, self.runtime.governing(), holder.customer_id, self._today()
            )
            pdf = statement_pdf(data, settings, self._today())
            found: copies.Download | None = copies.Download(pdf.filename, pdf.content)
        else:
            found = copies.invoice_download(engine, settings, holder.customer_id, number)
        if found is None:
            return Response(HTTPStatus.NOT_FOUND, "Not found.", [("Content-Type", "text/plain")])
        copies.record_download(
            engine, holder.customer_id, holder.public_id, _client(environ), what, number
        )
        if found.url:
            return Response(HTTPStatus.SEE_OTHER, "", [("Location", found.url)])
        return Response(
            HTTPStatus.OK,
            found.content,
            [
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", f'attachment; filename="{found.filename}"'),
            ],
        )

    def staff_file(self, token: str) -> Response:
        """A dispute's file for staff, through the signed link on its Slack message: always a
        download, never rendered here (what a customer sends may be hostile)."""
        found = dispute_files.fetch(
            self.runtime.engine, self.runtime.settings, token, self.runtime.now()
        )
        if found is None:
            text = "This link has expired or is not valid: open the file from a newer message."
            return Response(HTTPStatus.FORBIDDEN, text, [("Content-Type", "text/plain")])
        return Response(
            HTTPStatus.OK,
            found.content,
            [
                ("Content-Type", found.content_type),
                ("Content-Disposition", _attachment(found.filename)),
                ("Content-Security-Policy", "sandbox; default-src 'none'"),
            ],
        )

    def act(self, environ: WSGIEnvironment, token: str, action: str) -> Response:
        # a form with a file is read only once its link holds and its rate allows: parsing
        # five megabytes is the costliest thing a stranger can ask of the page
        with_file = action == "dispute" and multipart.is_multipart(environ)
        form = {} if with_file else _form(environ)
        language = form.get("lang", "")
        holder = self._holder(token, language, environ)
        if isinstance(holder, Response):
            if with_file:
                _drain(environ, 0)
            return holder
        _, t = words(self.runtime.settings.templates_dir, language or "en")
        if not page_visits.allow_post(self.runtime.engine, holder, self.runtime.now()):
            if with_file:
                _drain(environ, 0)
            return Response(HTTPStatus.TOO_MANY_REQUESTS, t["err_rate"], [("Retry-After", "60")])
        refused = ""  # a body refused before its form is read: the reason's word
        upload: tuple[str, bytes] | None = None
        if with_file:
            try:
                form, upload = _upload_form(environ)
            except multipart.BodyTooLarge as large:
                _drain(environ, large.read)
                refused = "file_too_big"
            except multipart.NotAForm:
                refused = "bad_form"
            language = form.get("lang", "")
            _, t = words(self.runtime.settings.templates_dir, language or "en")
        if refused:  # nothing of it was used: said in the customer's language, nothing kept
            _, t = words(self.runtime.settings.templates_dir, self._language_of(holder))
            message = t[f"err_{refused}"].format(mb=dispute_files.MAX_BYTES >> 20)
            return self.render(
                holder,
                token,
                "",
                open_form=action,
                errors={"file" if refused == "file_too_big" else "_form": message},
                status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE
                if refused == "file_too_big"
                else HTTPStatus.BAD_REQUEST,
            )
        if not page_links.csrf_ok(self.runtime.settings, holder, form.get("csrf", "")):
            return self.render(
                holder,
                token,
                language,
                open_form=action,
                errors={"_form": t["err_csrf"]},
                status=HTTPStatus.FORBIDDEN,
            )
        try:
            for name, value in form.items():  # no control character reaches a service
                customer_page.clean_text(value, name, MAX_FORM_BYTES, multiline=name in MULTILINE)
            if action == "plan" and form.get("step") != "send":  # the schedule first, then send
                return self._preview_plan(holder, token, language, form, t)
            news = self._carry_out(holder, action, form, _client(environ), upload)
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
        if news.file_id is not None:
            link = dispute_files.staff_link(self.runtime.settings, news.file_id, self.runtime.now())
            news = replace(news, file_link=link)
        try:
            self.post_news(news)
        except Exception:
            log.exception("could not post the customer's %s to Slack", action)
        if news.request_id is not None:
            self._tell_old_address(news.request_id)
        target = f"{PREFIX}{token}?done={action}" + (f"&lang={quote(language)}" if language else "")
        return Response(HTTPStatus.SEE_OTHER, "", [("Location", target)])

    def _tell_old_address(self, request_id: int) -> None:
        """The address on record hears that a change was asked (in its customer's language);
        a failure is logged, the request stands."""
        settings = self.runtime.settings
        try:
            asked = contact_changes.asked_of(self.runtime.engine, request_id)
            if not asked.email:
                return
            _, t = words(settings.templates_dir, asked.language)
            text = t["contact_notice_body"].format(customer=asked.customer_name)
            contact_changes.tell_old_address(
                settings, asked.email, t["contact_notice_subject"], text, asked.language
            )
        except Exception:
            log.exception("could not tell the address on record of contact change %s", request_id)

    def _preview_plan(
        self, holder: LinkHolder, token: str, language: str, form: dict[str, str], t: dict[str, Any]
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

    def _language_of(self, holder: LinkHolder) -> str:
        return customer_page.language_of(self.runtime.engine, holder.customer_id)

    def _carry_out(
        self,
        holder: LinkHolder,
        action: str,
        form: dict[str, str],
        client: str,
        upload: tuple[str, bytes] | None = None,
    ) -> News:
        engine, policies = self.runtime.engine, self.runtime.governing()
        digest = self.runtime.settings.digest_channel
        today = self._today()
        if action == "paid":
            return customer_page.say_paid(engine, policies, holder, client, form, today, digest)
        if action == "promise":
            return customer_page.promise(engine, policies, holder, client, form, today, digest)
        if action == "dispute":
            return customer_page.dispute(engine, holder, client, form, digest, upload)
        if action == "plan":
            return customer_page.ask_plan(engine, policies, holder, client, form, today, digest)
        return customer_page.ask_contact_change(engine, holder, client, form, digest)


def _client(environ: WSGIEnvironment) -> str:
    return str(environ.get("REMOTE_ADDR", ""))


def _visit(environ: WSGIEnvironment) -> Visit:
    cookies = str(environ.get("HTTP_COOKIE", ""))
    returning = any(c.strip().startswith(f"{VISITED}=") for c in cookies.split(";"))
    return Visit(_client(environ), str(environ.get("HTTP_USER_AGENT", "")), returning)


def _attachment(filename: str) -> str:
    """A download's disposition: an ASCII name for old clients, the real one (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _drain(environ: WSGIEnvironment, already: int) -> None:
    """Read and drop what is left of a refused body (never past its declared length, where a
    read would wait), up to a bound, so the client is not cut off before it reads the refusal."""
    stream = environ["wsgi.input"]
    try:
        declared = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        declared = -1
    left = MAX_DRAINED_BYTES if declared < 0 else min(MAX_DRAINED_BYTES, declared - already)
    while left > 0 and (chunk := stream.read(min(65_536, left))):
        left -= len(chunk)


def _upload_form(environ: WSGIEnvironment) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """The dispute form sent with its file: fields as `_form` gives them, and the file."""
    body = multipart.read_bounded(environ, MAX_UPLOAD_BYTES)
    parsed = multipart.parse(body, str(environ.get("CONTENT_TYPE", "")), MAX_FORM_BYTES)
    form = {k: "\n".join(v) if k == "invoice" else v[0] for k, v in parsed.fields.items()}
    sent = parsed.files.get("file")
    return form, (sent.filename, sent.content) if sent else None


def _form(environ: WSGIEnvironment) -> dict[str, str]:
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
