"""The customer's page as a WSGI application, mounted under `/pay/`.

GET `/pay/<token>` shows the page (and records the view); POST `/pay/<token>/<action>` carries
out one action through its service, then redirects back with a thank-you (post, redirect,
get). A link that does not hold gets a plain page that shows nothing of any account.
"""

from __future__ import annotations

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
from bot.services.common.context import Runtime
from bot.services.delivery import copies
from bot.services.page import (
    answers,
    customer_page,
    dispute_files,
    page_links,
    page_requests,
    page_visits,
)
from bot.services.page.customer_page import DISPUTE_REASONS, News, PageInvalid
from bot.services.page.page_links import LinkHolder, LinkRefused
from bot.services.page.statement import copy_words, statement_pdf
from bot.web import multipart
from bot.web.forms import (
    MAX_FORM_BYTES,
    MULTILINE,
    VISITED,
    _attachment,
    _client,
    _drain,
    _form,
    _upload_form,
    _visit,
)
from bot.web.notices import tell_old_address
from bot.web.responses import COPY_SCRIPT, HEADERS, Response, with_script
from bot.web.view import page_context, plan_rows
from bot.web.words import best_language, languages, words

log = logging.getLogger(__name__)

PREFIX = "/pay/"
ACTIONS = ("paid", "promise", "dispute", "plan", "contact")
DOWNLOADS = ("invoice", "statement")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español"}

PostNews = Callable[[News], None]


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
        plan: page_requests.PlanProposal | None = None,
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
        holder = self._admitted(environ, token, form.get("lang", ""), with_file)
        if isinstance(holder, Response):
            return holder
        upload: tuple[str, bytes] | None = None
        if with_file:
            read = self._read_upload(environ, holder, token, action)
            if isinstance(read, Response):
                return read
            form, upload = read
        language = form.get("lang", "")
        _, t = words(self.runtime.settings.templates_dir, language or "en")
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
            return self._invalid(holder, token, language, action, form, bad, t)
        self._announce(news, action)
        target = f"{PREFIX}{token}?done={action}" + (f"&lang={quote(language)}" if language else "")
        return Response(HTTPStatus.SEE_OTHER, "", [("Location", target)])

    def _admitted(
        self, environ: WSGIEnvironment, token: str, language: str, with_file: bool
    ) -> LinkHolder | Response:
        """The link's holder, if the link holds and its rate allows one more post; a refused
        body with a file is drained first, so the client reads the refusal."""
        holder = self._holder(token, language, environ)
        if isinstance(holder, Response):
            refusal = holder
        elif not page_visits.allow_post(self.runtime.engine, holder, self.runtime.now()):
            _, t = words(self.runtime.settings.templates_dir, language or "en")
            refusal = Response(HTTPStatus.TOO_MANY_REQUESTS, t["err_rate"], [("Retry-After", "60")])
        else:
            return holder
        if with_file:
            _drain(environ, 0)
        return refusal

    def _read_upload(
        self, environ: WSGIEnvironment, holder: LinkHolder, token: str, action: str
    ) -> tuple[dict[str, str], tuple[str, bytes] | None] | Response:
        """The dispute form with its file; a body too large or not a form is refused in the
        customer's language, nothing of it kept."""
        try:
            return _upload_form(environ)
        except multipart.BodyTooLarge as large:
            _drain(environ, large.read)
            refused, status = "file_too_big", HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        except multipart.NotAForm:
            refused, status = "bad_form", HTTPStatus.BAD_REQUEST
        _, t = words(self.runtime.settings.templates_dir, self._language_of(holder))
        message = t[f"err_{refused}"].format(mb=dispute_files.MAX_BYTES >> 20)
        field = "file" if refused == "file_too_big" else "_form"
        return self.render(
            holder, token, "", open_form=action, errors={field: message}, status=status
        )

    def _announce(self, news: News, action: str) -> None:
        """The team told (with a staff link to a dispute's file); a change of address also
        tells the old one. A failure to post is logged: what the customer did stands."""
        if news.file_id is not None:
            link = dispute_files.staff_link(self.runtime.settings, news.file_id, self.runtime.now())
            news = replace(news, file_link=link)
        try:
            self.post_news(news)
        except Exception:
            log.exception("could not post the customer's %s to Slack", action)
        if news.request_id is not None:
            tell_old_address(self.runtime, news.request_id)

    def _preview_plan(
        self, holder: LinkHolder, token: str, language: str, form: dict[str, str], t: dict[str, Any]
    ) -> Response:
        """The schedule the request would ask for, shown before the customer sends it."""
        try:
            proposal = page_requests.propose_plan(
                self.runtime.engine, self.runtime.governing(), holder, form, self._today()
            )
        except PageInvalid as bad:
            return self._invalid(holder, token, language, "plan", form, bad, t)
        return self.render(holder, token, language, open_form="plan", values=form, plan=proposal)

    def _invalid(
        self,
        holder: LinkHolder,
        token: str,
        language: str,
        action: str,
        form: dict[str, str],
        bad: PageInvalid,
        t: dict[str, Any],
    ) -> Response:
        """The form shown again with what the customer typed and why it was refused."""
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
            return answers.say_paid(engine, policies, holder, client, form, today, digest)
        if action == "promise":
            return answers.promise(engine, policies, holder, client, form, today, digest)
        if action == "dispute":
            return answers.dispute(engine, holder, client, form, digest, upload)
        if action == "plan":
            return page_requests.ask_plan(engine, policies, holder, client, form, today, digest)
        return page_requests.ask_contact_change(engine, holder, client, form, digest)
