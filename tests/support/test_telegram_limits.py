"""Each rule of the request checker rejects what Telegram rejects and accepts what it accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.simulator import InProcessBotApi, SentRequest, UpdateFactory
from tests.support.echo_bot import build_echo_application
from tests.support.telegram_limits import (
    SPEC_ENV,
    assert_within_limits,
    bot_api_spec,
    check_html,
    check_request,
)


def message(text: str, **params: Any) -> SentRequest:
    return SentRequest("sendMessage", {"chat_id": 1, "text": text, **params})


def keyboard(*rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"inline_keyboard": list(rows)}


def button(text: str = "ok", **action: Any) -> dict[str, Any]:
    return {"text": text, **(action or {"callback_data": "ok"})}


def with_markup(markup: dict[str, Any]) -> SentRequest:
    return message("Escolha", reply_markup=markup)


def problems_mention(req: SentRequest, fragment: str) -> bool:
    return any(fragment in problem for problem in check_request(req))


# -- the spec -------------------------------------------------------------------------------------


def test_the_spec_is_the_one_ptb_implements() -> None:
    from telegram.constants import BOT_API_VERSION

    assert bot_api_spec()["version"] == f"Bot API {BOT_API_VERSION}"


def test_unknown_method() -> None:
    assert problems_mention(SentRequest("sendMesage", {"chat_id": 1}), "unknown Bot API method")
    assert check_request(SentRequest("getMe", {})) == []


def test_unknown_parameter() -> None:
    assert problems_mention(message("oi", parse_mod="HTML"), "unknown parameter 'parse_mod'")
    assert check_request(message("oi", parse_mode="HTML")) == []


def test_missing_required_parameter() -> None:
    req = SentRequest("sendMessage", {"text": "oi"})
    assert check_request(req) == ["missing required parameter 'chat_id' for sendMessage"]
    assert check_request(message("oi")) == []


def test_uploaded_files_count_as_parameters() -> None:
    upload = SentRequest("sendDocument", {"chat_id": 1}, {"document": ("a.csv", b"x")})
    assert check_request(upload) == []
    assert problems_mention(SentRequest("sendDocument", {"chat_id": 1}), "'document'")


def test_missing_spec_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SPEC_ENV, str(tmp_path / "nope.json"))
    with pytest.raises(FileNotFoundError, match=SPEC_ENV):
        check_request(message("oi"))


# -- texts ----------------------------------------------------------------------------------------


def test_text_length_counts_the_visible_text() -> None:
    assert problems_mention(message("x" * 4097), "4097 characters")
    assert check_request(message("x" * 4096)) == []
    # 4096 visible characters wrapped in tags are fine...
    assert check_request(message(f"<b>{'x' * 4096}</b>", parse_mode="HTML")) == []
    # ...but escapes count once parsed: 4097 visible '&'.
    assert problems_mention(message("&amp;" * 4097, parse_mode="HTML"), "4097 characters")


def test_empty_text() -> None:
    assert problems_mention(message("<b> </b>", parse_mode="HTML"), "empty")
    assert problems_mention(message(""), "empty")


def test_absurd_raw_text() -> None:
    tagged = "<b></b>" * 3000 + "ok"
    assert problems_mention(message(tagged, parse_mode="HTML"), "absurd")
    assert check_request(message("<b></b>" * 10 + "ok", parse_mode="HTML")) == []


def test_caption_length() -> None:
    def document(caption: str) -> SentRequest:
        return SentRequest(
            "sendDocument", {"chat_id": 1, "document": "file-id", "caption": caption}
        )

    assert problems_mention(document("x" * 1025), "caption is 1025 characters")
    assert check_request(document("x" * 1024)) == []


def test_callback_answer_length() -> None:
    def answer(text: str) -> SentRequest:
        return SentRequest("answerCallbackQuery", {"callback_query_id": "1", "text": text})

    assert problems_mention(answer("x" * 201), "201 characters")
    assert check_request(answer("x" * 200)) == []


# -- keyboards ------------------------------------------------------------------------------------


def test_callback_data_is_measured_in_bytes() -> None:
    emoji = "😀" * 17  # 17 characters, 68 bytes
    assert problems_mention(with_markup(keyboard([button(callback_data=emoji)])), "68 bytes")
    assert problems_mention(with_markup(keyboard([button(callback_data="x" * 65)])), "65 bytes")
    assert problems_mention(with_markup(keyboard([button(callback_data="")])), "0 bytes")
    assert check_request(with_markup(keyboard([button(callback_data="😀" * 16)]))) == []


def test_buttons_per_row() -> None:
    assert problems_mention(with_markup(keyboard([button()] * 9)), "row 1 has 9 buttons")
    assert check_request(with_markup(keyboard([button()] * 8))) == []


def test_buttons_per_keyboard() -> None:
    assert problems_mention(with_markup(keyboard(*[[button()] * 8] * 13)), "104 buttons")
    assert check_request(with_markup(keyboard(*[[button()] * 5] * 20))) == []


def test_url_button_schemes() -> None:
    assert problems_mention(with_markup(keyboard([button(url="tel:+5511999999999")])), "'tel'")
    assert problems_mention(with_markup(keyboard([button(url="mailto:a@b.com")])), "'mailto'")
    assert problems_mention(with_markup(keyboard([button(url="http://x.com")])), "'http'")
    whatsapp = button(url="https://wa.me/5511999999999?text=Ol%C3%A1")
    assert check_request(with_markup(keyboard([whatsapp, button(url="tg://user?id=1")]))) == []


def test_each_button_has_exactly_one_action() -> None:
    both = {"text": "x", "callback_data": "a", "url": "https://x.com"}
    assert problems_mention(with_markup(keyboard([both])), "exactly one action")
    assert problems_mention(with_markup(keyboard([{"text": "x"}])), "exactly one action")
    styled = {"text": "x", "style": "danger", "callback_data": "a"}
    assert check_request(with_markup(keyboard([styled]))) == []


def test_markup_sent_as_json_text_is_checked_too() -> None:
    assert problems_mention(with_markup('{"inline_keyboard": [[{"text": "x"}]]}'), "one action")  # type: ignore[arg-type]


def test_bot_commands() -> None:
    def commands(*pairs: tuple[str, str]) -> SentRequest:
        items = [{"command": c, "description": d} for c, d in pairs]
        return SentRequest("setMyCommands", {"commands": items})

    assert problems_mention(commands(("Start", "Começar")), "'Start'")
    assert problems_mention(commands(("start", "")), "description")
    assert check_request(commands(("start", "Começar"), ("hoje", "Tarefas de hoje"))) == []


# -- HTML -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<div>Pipeline</div>", "unsupported HTML tag <div>"),
        ("linha<br>linha", "unsupported HTML tag <br>"),
        ("Vendas & Marketing", "unescaped '&'"),
        ("AT&T", "unescaped '&'"),
        ("&nbsp;", "&nbsp; is not supported"),
        ("MRR < 10k", "unescaped '<'"),
        ("MRR > 10k", "unescaped '>'"),
        ("<b>negrito", "<b> is never closed"),
        ("<b><i>x</b></i>", "tags are not nested"),
        ("fim</b>", "without an opening tag"),
        ("<a>link</a>", "without href"),
        ('<span class="red">x</span>', "tg-spoiler"),
        ('<b class="x">x</b>', "unsupported attribute 'class'"),
        ('<code class="language-py">x</code>', "inside <pre>"),
        ("<code><b>x</b></code>", "cannot hold entities"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "nested <blockquote>"),
        ("<!-- nota -->oi", "comments"),
    ],
)
def test_html_problems(text: str, fragment: str) -> None:
    problems, _ = check_html(text)
    assert any(fragment in problem for problem in problems), problems
    assert problems_mention(message(text, parse_mode="HTML"), fragment)


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("<b>Lead</b> <strong>quente</strong> <i>i</i><em>e</em>", "Lead quente ie"),
        ("<u>u</u><ins>i</ins><s>s</s><strike>k</strike><del>d</del>", "uiskd"),
        ('<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>', "ab"),
        ('<a href="https://wa.me/55?text=a&amp;b">WhatsApp</a>', "WhatsApp"),
        ('<a href="tg://user?id=123">Ana</a>', "Ana"),
        ('<pre><code class="language-python">x = 1 &lt; 2</code></pre>', "x = 1 < 2"),
        ("<code>cnpj</code> <pre>bloco</pre>", "cnpj bloco"),
        ("<blockquote expandable>citação</blockquote>", "citação"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("P&amp;D &lt;3 &gt; &quot;ok&quot; &#127881; &#x1F389;", 'P&D <3 > "ok" 🎉 🎉'),
    ],
)
def test_html_accepted_and_visible_text(text: str, visible: str) -> None:
    assert check_html(text) == ([], visible)


def test_html_is_only_checked_with_parse_mode_html() -> None:
    assert check_request(message("a < b & <div>")) == []
    assert check_request(message("a < b & <div>", parse_mode="html")) != []


# -- the report -----------------------------------------------------------------------------------


def test_assert_within_limits_lists_every_problem() -> None:
    requests = [
        message("ok"),
        message("<div>oi</div>", parse_mode="HTML"),
        SentRequest("sendMessage", {"text": "sem chat"}),
    ]
    with pytest.raises(AssertionError) as caught:
        assert_within_limits(requests)
    report = str(caught.value)
    assert "request #2 sendMessage (text='<div>oi</div>')" in report
    assert "unsupported HTML tag <div>" in report
    assert "request #3 sendMessage" in report and "'chat_id'" in report
    assert "request #1" not in report
    assert_within_limits(requests[:1])


async def test_a_real_conversation_is_within_limits() -> None:
    api = InProcessBotApi()
    app = build_echo_application(api)
    async with app:
        updates = UpdateFactory(api, app.bot)
        ana = updates.user()
        await app.process_update(updates.command(ana, "/start"))
        await app.process_update(updates.text(ana, "Vendas & Marketing <b>"))
        greeting = api.messages_to(ana.id)[0]
        await app.process_update(updates.callback(ana, greeting.message_id, "ping"))
        await app.process_update(updates.document(ana, "leads.csv", b"a;b\n"))
    assert {request.method for request in api.requests} >= {
        "getMe",
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
        "getFile",
    }
    assert_within_limits(api.requests)
