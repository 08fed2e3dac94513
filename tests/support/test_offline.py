"""The offline Bot API behaves like Telegram for a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.simulator import Fault, InProcessBotApi, SentRequest, UpdateFactory
from tests.support.echo_bot import (
    GREETING,
    PONG,
    EchoApplication,
    build_echo_application,
    handler_errors,
)
from tests.support.telegram_limits import assert_within_limits

CHAT = 10_001


@pytest.fixture
def api() -> InProcessBotApi:
    return InProcessBotApi()


@pytest.fixture
async def app(api: InProcessBotApi) -> AsyncIterator[EchoApplication]:
    application = build_echo_application(api)
    await application.initialize()
    yield application
    await application.shutdown()
    assert_within_limits(api.requests)


@pytest.fixture
def updates(api: InProcessBotApi, app: EchoApplication) -> UpdateFactory:
    return UpdateFactory(api, app.bot)


def _png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


async def test_initialize_asks_get_me_and_learns_the_bot(
    api: InProcessBotApi, app: EchoApplication
) -> None:
    assert api.requests[0].method == "getMe"
    assert app.bot.username == "cadencia_bot"
    assert app.bot.id == 123  # from the token "123:ABC"


async def test_start_and_echo_go_through_the_transport(
    api: InProcessBotApi, app: EchoApplication, updates: UpdateFactory
) -> None:
    ana = updates.user("Ana")
    await app.process_update(updates.command(ana, "/start"))
    await app.process_update(updates.text(ana, "Quero agendar a demo"))

    sent = api.requests_for("sendMessage")
    assert [request.params["text"] for request in sent] == [GREETING, "Quero agendar a demo"]
    assert sent[0].params["chat_id"] == ana.id
    assert sent[0].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "ping", "callback_data": "ping"}]]
    }
    # User and bot messages share the chat's message ids, like on Telegram.
    assert [message.message_id for message in api.messages_to(ana.id)] == [2, 4]
    last = api.last_message(ana.id)
    assert last.text == "Quero agendar a demo"
    assert last.from_user is not None and last.from_user.username == "cadencia_bot"
    assert handler_errors(app) == []


async def test_callback_answers_and_edits_the_stored_message(
    api: InProcessBotApi, app: EchoApplication, updates: UpdateFactory
) -> None:
    ana = updates.user()
    await app.process_update(updates.command(ana, "/start"))
    greeting = api.last_message(ana.id)
    assert greeting.reply_markup is not None

    update = updates.callback(ana, greeting.message_id, "ping")
    assert update.callback_query is not None and update.callback_query.message is not None
    assert update.callback_query.message.message_id == greeting.message_id
    await app.process_update(update)

    assert [request.method for request in api.requests[-2:]] == [
        "answerCallbackQuery",
        "editMessageText",
    ]
    edited = api.last_message(ana.id)
    assert edited.text == PONG
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert edited.edit_date is not None
    assert handler_errors(app) == []


async def test_callback_on_a_message_the_bot_never_sent_is_inaccessible(
    app: EchoApplication, updates: UpdateFactory
) -> None:
    update = updates.callback(updates.user(), 999, "ping")
    assert update.callback_query is not None and update.callback_query.message is not None
    # PTB 22.8 parses it as a Message with date 0, not as an InaccessibleMessage instance.
    assert not update.callback_query.message.is_accessible


async def test_edits_fail_like_telegram(api: InProcessBotApi, app: EchoApplication) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    message = await app.bot.send_message(CHAT, "Lead qualificado", reply_markup=keyboard)

    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_text(
            "Lead qualificado", CHAT, message.message_id, reply_markup=keyboard
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", CHAT, message.message_id + 10)

    edited = await app.bot.edit_message_reply_markup(CHAT, message.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_reply_markup(CHAT, message.message_id)

    assert await app.bot.delete_message(CHAT, message.message_id) is True
    assert api.messages_to(CHAT) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await app.bot.delete_message(CHAT, message.message_id)
    assert api.requests[-1].error == "Bad Request: message to delete not found"


# PTB itself reads RetryAfter.retry_after while building the exception, which warns about the
# int -> timedelta change planned for its next major version.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_429_raises_retry_after_once(api: InProcessBotApi, app: EchoApplication) -> None:
    api.fail_next("sendMessage", Fault.too_many_requests(retry_after=5))

    with pytest.raises(RetryAfter, match="Retry in 5 seconds"):
        await app.bot.send_message(CHAT, "oi")
    assert api.requests[-1].error == "Too Many Requests: retry after 5"
    assert api.messages_to(CHAT) == []

    await app.bot.send_message(CHAT, "oi")
    assert api.last_message(CHAT).text == "oi"


@pytest.mark.parametrize(
    ("fault", "exception", "message"),
    [
        (Fault.blocked_by_user(), Forbidden, "Forbidden: bot was blocked by the user"),
        (Fault.bad_request("chat not found"), BadRequest, "Chat not found"),
        (Fault.server_error(), NetworkError, "Internal Server Error"),
        (Fault.timed_out(), TimedOut, "Timed out"),
        (TimedOut("read timeout"), TimedOut, "read timeout"),
    ],
)
async def test_faults_become_ptbs_real_exceptions(
    api: InProcessBotApi,
    app: EchoApplication,
    fault: Fault | BaseException,
    exception: type[Exception],
    message: str,
) -> None:
    api.fail_next("*", fault)
    with pytest.raises(exception) as caught:
        await app.bot.send_message(CHAT, "oi")
    assert caught.value.message == message  # type: ignore[attr-defined]


async def test_a_handler_error_reaches_the_error_handler(
    api: InProcessBotApi, app: EchoApplication, updates: UpdateFactory
) -> None:
    api.fail_next("sendMessage", Fault.blocked_by_user())
    await app.process_update(updates.text(updates.user(), "oi"))
    assert [type(error) for error in handler_errors(app)] == [Forbidden]


async def test_on_request_hook_can_answer_fail_or_pass(
    api: InProcessBotApi, app: EchoApplication
) -> None:
    seen: list[str] = []

    def hook(request: SentRequest) -> object:
        seen.append(request.method)
        if request.method == "getChatMemberCount":
            return 42
        if request.params.get("text") == "proibido":
            return Fault.forbidden("Forbidden: user is deactivated")
        return None

    api.on_request = hook
    assert await app.bot.get_chat_member_count(CHAT) == 42
    with pytest.raises(Forbidden, match="user is deactivated"):
        await app.bot.send_message(CHAT, "proibido")
    await app.bot.send_message(CHAT, "permitido")
    assert seen == ["getChatMemberCount", "sendMessage", "sendMessage"]


async def test_user_documents_download_through_the_transport(
    api: InProcessBotApi, app: EchoApplication, updates: UpdateFactory
) -> None:
    content = "empresa;razão\nAcme;Acme Ltda\n".encode()
    ana = updates.user()
    await app.process_update(updates.document(ana, "leads.csv", content))

    assert [request.method for request in api.requests[-2:]] == ["getFile", "sendMessage"]
    reply = api.last_message(ana.id).text
    assert reply is not None and reply.startswith(f"leads.csv: {len(content)} bytes")
    assert handler_errors(app) == []


async def test_bot_uploads_are_recorded_and_served_back(
    api: InProcessBotApi, app: EchoApplication
) -> None:
    report = b"nome,etapa\nAcme,demo\n"
    message = await app.bot.send_document(
        CHAT, InputFile(report, filename="funil.csv"), caption="<b>Funil</b>", parse_mode="HTML"
    )
    request = api.requests[-1]
    assert request.method == "sendDocument"
    assert request.files == {"document": ("funil.csv", report)}
    assert request.params["caption"] == "<b>Funil</b>"
    assert message.document is not None and message.document.file_name == "funil.csv"
    assert message.document.mime_type == "text/csv"

    file = await app.bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == report

    photo = await app.bot.send_photo(CHAT, InputFile(_png(640, 480), filename="chart.png"))
    assert (photo.photo[-1].width, photo.photo[-1].height) == (640, 480)
    assert api.requests[-1].files["photo"][0] == "chart.png"


async def test_unknown_file_id_is_a_bad_request(app: EchoApplication) -> None:
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await app.bot.get_file("nope")


async def test_commands_chat_and_menu_button(api: InProcessBotApi, app: EchoApplication) -> None:
    await app.bot.set_my_commands([("start", "Começar"), ("hoje", "Tarefas de hoje")])
    await app.bot.set_my_commands([("start", "Start")], language_code="en")
    commands = await app.bot.get_my_commands()
    assert [command.command for command in commands] == ["start", "hoje"]
    assert [
        command.description for command in await app.bot.get_my_commands(language_code="en")
    ] == ["Start"]
    assert await app.bot.delete_my_commands(language_code="en") is True
    assert await app.bot.get_my_commands(language_code="en") == ()
    assert await app.bot.set_chat_menu_button() is True

    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.get_chat(CHAT)
    await app.bot.send_chat_action(CHAT, "typing")
    await app.bot.send_message(CHAT, "oi")
    chat = await app.bot.get_chat(CHAT)
    assert chat.type == "private"


async def test_users_and_languages(api: InProcessBotApi, updates: UpdateFactory) -> None:
    ana = updates.user("Ana")
    john = updates.user("John", language_code="en", username="john")
    first = updates.text(ana, "oi")
    second = updates.command(john, "/start", "ref", "42")
    assert first.effective_user is not None and first.effective_user.language_code == "pt-br"
    assert second.effective_user is not None and second.effective_user.language_code == "en"
    assert second.update_id == first.update_id + 1
    assert second.effective_message is not None
    assert second.effective_message.text == "/start ref 42"
    assert second.effective_message.parse_entities() != {}
    assert john.id != ana.id


async def test_subscribers_see_every_request(api: InProcessBotApi, app: EchoApplication) -> None:
    seen: list[str] = []
    unsubscribe = api.subscribe(lambda request: seen.append(request.method))
    await app.bot.send_message(CHAT, "um")
    unsubscribe()
    await app.bot.send_message(CHAT, "dois")
    assert seen == ["sendMessage"]


async def test_unknown_method_is_not_found(api: InProcessBotApi, app: EchoApplication) -> None:
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": CHAT})
    assert api.requests[-1].error == "Not Found"
    api.clear()  # the limits checker would rightly reject the unknown method


async def test_clear_forgets_requests_but_not_messages(
    api: InProcessBotApi, app: EchoApplication
) -> None:
    await app.bot.send_message(CHAT, "oi")
    api.clear()
    assert api.requests == []
    assert api.last_message(CHAT).text == "oi"


async def test_a_polling_application_receives_fed_updates(api: InProcessBotApi) -> None:
    app = build_echo_application(api, polling=True)
    updates = UpdateFactory(api, app.bot)
    replied = asyncio.Event()
    api.subscribe(lambda request: replied.set() if request.method == "sendMessage" else None)
    ana = updates.user()

    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=5)
        await app.start()
        try:
            api.feed_update(updates.text(ana, "chegou pelo getUpdates"))
            await asyncio.wait_for(replied.wait(), timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()

    assert api.last_message(ana.id).text == "chegou pelo getUpdates"
    assert api.pending_updates == []  # the Updater acknowledged it with the next offset
    assert handler_errors(app) == []
    assert_within_limits(api.requests)


async def test_delete_webhook_can_drop_pending_updates(
    api: InProcessBotApi, app: EchoApplication, updates: UpdateFactory
) -> None:
    api.feed_update(updates.text(updates.user(), "velho"))
    assert len(await app.bot.get_updates()) == 1
    await app.bot.delete_webhook(drop_pending_updates=True)
    assert await app.bot.get_updates() == ()
