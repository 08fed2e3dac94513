"""The callback context every handler gets: the runtime, the member, their language."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain.problems import Problem
from bot.i18n import DEFAULT_LANGUAGE, gettext_for, language_for
from bot.render.messages import MessageRenderer
from bot.services.runtime import Runtime
from bot.services.views import MemberView

RUNTIME = "runtime"
RENDERER = "renderer"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
"""No link previews under the bot's messages (one immutable object, not one per message)."""


class Context(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    """CallbackContext with the pieces Cadência's handlers need."""

    def __init__(self, application: Application, chat_id: int | None = None, user_id: int | None = None) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._member: MemberView | None = None
        self._telegram_language: str | None = None
        self._lang: str | None = None
        self._gettext_lang = ""
        self._gettext: Callable[[str], str] = str

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data[RUNTIME]

    @property
    def renderer(self) -> MessageRenderer:
        return self.application.bot_data[RENDERER]

    @property
    def member(self) -> MemberView | None:
        """The member behind the update, once the gate has recognised them."""
        return self._member

    @member.setter
    def member(self, member: MemberView | None) -> None:
        self._member, self._lang = member, None  # e.g. /config changed the language

    @property
    def telegram_language(self) -> str | None:
        return self._telegram_language

    @telegram_language.setter
    def telegram_language(self, code: str | None) -> None:
        self._telegram_language, self._lang = code, None

    @property
    def lang(self) -> str:
        if self._lang is None:
            member = self._member
            if member is not None and member.language:
                self._lang = member.language
            else:
                code = self._telegram_language
                self._lang = language_for(code) if code else DEFAULT_LANGUAGE
        return self._lang

    def _(self, text: str) -> str:
        lang = self.lang
        if lang != self._gettext_lang:  # looked up once per update (again if the language changes)
            self._gettext_lang, self._gettext = lang, gettext_for(lang)
        return self._gettext(text)

    def problem_text(self, error: Exception) -> str:
        """A domain error in the member's language: its template translated, then its parameters filled in.

        Any other exception comes back as ``str(error)``, untranslated.
        """
        if isinstance(error, Problem):
            return self._(error.template) % error.params
        return str(error)

    @property
    def me(self) -> MemberView:
        """The member behind this update (the gate guarantees one for every handler)."""
        assert self.member is not None, "gate did not run"
        return self.member

    def render(self, template: str, **values: Any) -> str:
        return self.renderer.render(template, self.lang, **values)

    def render_static(self, template: str, **values: Hashable) -> str:
        return self.renderer.render_static(template, self.lang, **values)


def typed_text(update: Update) -> str:
    """What the person typed ("" for a sticker, a photo, or no message at all)."""
    message = update.effective_message
    return (message.text or "") if message is not None else ""


async def say(
    update: Update,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
) -> Message | None:
    """Answer in HTML: edit the pressed message in place when ``edit``, else send a new one."""
    query: CallbackQuery | None = update.callback_query
    if edit and query is not None and query.message is not None and query.message.is_accessible:
        try:
            result = await query.edit_message_text(
                text, parse_mode=ParseMode.HTML, reply_markup=keyboard, link_preview_options=NO_PREVIEW
            )
            return result if isinstance(result, Message) else None
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return None
            # The message is too old or gone: fall through and send a new one.
    chat = update.effective_chat
    if chat is None:
        return None
    return await update.get_bot().send_message(
        chat.id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard, link_preview_options=NO_PREVIEW
    )


async def ack(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (Telegram shows a spinner until we do)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200] if text else None, show_alert=alert)
