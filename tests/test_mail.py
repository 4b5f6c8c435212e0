"""paperwire.mail against a real SMTP server (aiosmtpd on 127.0.0.1), plain, with AUTH and over TLS."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess

import pytest

from paperwire import PaperwireError
from paperwire.mail import NOT_CONFIGURED, Mailer, MailError
from paperwire.settings import load_settings
from paperwire.smtp import SmtpTarget, parse_smtp_url
from tests.support.smtp import SmtpInbox, free_port


def mailer_for(url: str | None, **kwargs) -> Mailer:
    return Mailer.from_settings(load_settings(smtp_url=url, mail_from="Hub <hub@papers.example>"), **kwargs)


def test_plain_send(smtp_inbox):
    mailer = mailer_for(smtp_inbox.url)
    text = "Hello Ada,\n\nThree papers."
    msg = mailer.build_message("Ada <ada@example.org>", "Your digest — 3 papers", text)
    mailer.send(msg)
    [got] = smtp_inbox.wait_for(1)
    assert got["From"] == "Hub <hub@papers.example>"
    assert got["To"] == "Ada <ada@example.org>"
    assert got["Subject"] == "Your digest — 3 papers"
    assert got["Date"] and got["Message-ID"].endswith("@papers.example>")
    assert got.get_content_type() == "text/plain"
    assert got.get_content() == "Hello Ada,\n\nThree papers.\n"
    assert smtp_inbox.envelopes == [("hub@papers.example", ["ada@example.org"])]


def test_html_alternative_and_extra_headers(smtp_inbox):
    mailer = mailer_for(smtp_inbox.url)
    msg = mailer.build_message(
        ["a@example.org", "b@example.org"],
        "Digest",
        "plain body",
        html="<p>rich <b>body</b></p>",
        headers={"List-Unsubscribe": "<https://papers.example/unsubscribe/x>"},
    )
    mailer.send(msg)
    [got] = smtp_inbox.wait_for(1)
    assert got.get_content_type() == "multipart/alternative"
    assert got.get_body(("plain",)).get_content() == "plain body\n"
    assert got.get_body(("html",)).get_content() == "<p>rich <b>body</b></p>\n"
    assert got["List-Unsubscribe"] == "<https://papers.example/unsubscribe/x>"
    assert smtp_inbox.envelopes[0][1] == ["a@example.org", "b@example.org"]


def test_message_ids_are_unique():
    mailer = mailer_for(None)
    ids = {mailer.build_message("a@example.org", "s", "t")["Message-ID"] for _ in range(50)}
    assert len(ids) == 50


def test_header_injection_is_refused():
    with pytest.raises(MailError, match="cannot build the message"):
        mailer_for(None).build_message("a@example.org", "hi\r\nBcc: victim@example.org", "t")


def test_login_with_user_and_password():
    with SmtpInbox(users={"ada@example.org": "p@ss:word/1"}) as inbox:
        mailer = mailer_for(inbox.url_with_login("ada@example.org", "p@ss:word/1"))
        mailer.send(mailer.build_message("b@example.org", "s", "t"))
        inbox.wait_for(1)
        assert inbox.logins == ["ada@example.org"]


def test_wrong_password_is_a_mail_error():
    with SmtpInbox(users={"ada": "right"}) as inbox:
        mailer = mailer_for(inbox.url_with_login("ada", "wrong"))
        with pytest.raises(MailError, match=r"refused the login of user 'ada': 535") as err:
            mailer.send(mailer.build_message("b@example.org", "s", "t"))
        assert "wrong" not in str(err.value)
        assert inbox.messages == []


def test_server_that_requires_login_refuses_anonymous_mail():
    with SmtpInbox(users={"ada": "right"}) as inbox:
        mailer = mailer_for(inbox.url)
        with pytest.raises(MailError, match=r"refused the sender hub@papers\.example: 530 .* add user:pass"):
            mailer.send(mailer.build_message("b@example.org", "s", "t"))


def test_refused_recipient():
    with SmtpInbox(refuse={"nobody@example.org"}) as inbox:
        mailer = mailer_for(inbox.url)
        with pytest.raises(MailError) as err:
            mailer.send(mailer.build_message("nobody@example.org", "s", "t"))
        assert str(err.value) == (
            f"127.0.0.1:{inbox.port} refused the recipient nobody@example.org (550 5.1.1 No such user here)"
        )
        assert inbox.messages == []


def test_one_refused_recipient_among_several_is_still_an_error():
    with SmtpInbox(refuse={"nobody@example.org"}) as inbox:
        mailer = mailer_for(inbox.url)
        with pytest.raises(MailError, match="accepted the message for some recipients but refused the rec"):
            mailer.send(mailer.build_message(["ok@example.org", "nobody@example.org"], "s", "t"))
        inbox.wait_for(1)


def test_connection_refused():
    port = free_port()  # nothing listens there
    mailer = mailer_for(f"smtp://127.0.0.1:{port}")
    with pytest.raises(MailError, match=rf"cannot connect to SMTP server 127.0.0.1:{port}: .*refused"):
        mailer.send(mailer.build_message("a@example.org", "s", "t"))


def test_silent_server_times_out():
    with socket.socket() as listener:  # accepts connections (the kernel's backlog) but never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        mailer = mailer_for(f"smtp://127.0.0.1:{listener.getsockname()[1]}", timeout=0.3)
        with pytest.raises(MailError, match=r"did not answer within 0\.3 seconds"):
            mailer.send(mailer.build_message("a@example.org", "s", "t"))


def test_unset_url_refuses_to_send():
    mailer = mailer_for(None)
    msg = mailer.build_message("a@example.org", "s", "t")
    with pytest.raises(MailError) as err:
        mailer.send(msg)
    assert str(err.value) == NOT_CONFIGURED
    assert str(err.value).startswith("PAPERWIRE_SMTP_URL is not set: set it to")
    assert isinstance(err.value, PaperwireError)


def test_message_without_recipients_is_refused(smtp_inbox):
    msg = mailer_for(None).build_message("a@example.org", "s", "t")
    del msg["To"]
    with pytest.raises(MailError, match="no recipients"):
        mailer_for(smtp_inbox.url).send(msg)


# -- TLS: a throwaway certificate for 127.0.0.1, trusted by the client through an injected context ----


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_tls_with_login(certificate, mode):
    server_ctx, client_ctx = certificate
    with SmtpInbox(users={"ada": "secret"}, tls=mode, tls_context=server_ctx) as inbox:
        mailer = mailer_for(inbox.url_with_login("ada", "secret"), ssl_context=client_ctx)
        mailer.send(mailer.build_message("b@example.org", "over TLS", "t"))
        [got] = inbox.wait_for(1)
        assert got["Subject"] == "over TLS"
        assert inbox.logins == ["ada"]


def test_untrusted_certificate_is_a_mail_error(certificate):
    server_ctx, _ = certificate
    with SmtpInbox(tls="starttls", tls_context=server_ctx) as inbox:
        mailer = mailer_for(inbox.url)  # the system's CA store does not know the test certificate
        with pytest.raises(MailError, match=r"TLS with 127.0.0.1:\d+ failed: .*certificate"):
            mailer.send(mailer.build_message("b@example.org", "s", "t"))
        assert inbox.messages == []


# -- PAPERWIRE_SMTP_URL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://mail.example.org", SmtpTarget("mail.example.org", 25, "plain")),
        ("smtp://mail.example.org:2525", SmtpTarget("mail.example.org", 2525, "plain")),
        ("smtp://u:p@mx.example.org?starttls=true", SmtpTarget("mx.example.org", 587, "starttls", "u", "p")),
        ("smtp+starttls://mail.example.org", SmtpTarget("mail.example.org", 587, "starttls")),
        ("smtps://mail.example.org", SmtpTarget("mail.example.org", 465, "tls")),
        (
            "smtps://ada%40example.org:p%3Aw%2F@[::1]:4650",
            SmtpTarget("::1", 4650, "tls", "ada@example.org", "p:w/"),
        ),
        ("smtp://apikey@mail.example.org", SmtpTarget("mail.example.org", 25, "plain", "apikey")),
    ],
)
def test_parse_smtp_url(url, target):
    assert parse_smtp_url(url) == target


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mail.example.org:25", "unsupported scheme mail.example.org:"),
        ("http://mail.example.org", "unsupported scheme http:"),
        ("smtp://", "the URL has no host"),
        ("smtp://u:hunter2@mail.example.org:99999", "the port must be a number from 1 to 65535"),
        ("smtp://mail.example.org/inbox", "the URL takes no path"),
        ("smtp://mail.example.org?tls=1", "unknown option 'tls'"),
        ("smtp://mail.example.org?starttls=maybe", "starttls must be true or false"),
        ("smtps://mail.example.org?starttls=true", "smtps:// is already TLS"),
        ("smtp://:hunter2@mail.example.org", "a password needs a user name"),
    ],
)
def test_bad_smtp_url_names_the_variable_and_hides_the_password(url, message):
    with pytest.raises(PaperwireError) as err:
        load_settings(smtp_url=url)
    assert str(err.value).startswith(f"PAPERWIRE_SMTP_URL: {message}")
    assert "\n" not in str(err.value)
    assert "hunter2" not in str(err.value)


def test_mail_from_setting(monkeypatch):
    monkeypatch.delenv("PAPERWIRE_MAIL_FROM", raising=False)
    monkeypatch.delenv("PAPERWIRE_SMTP_URL", raising=False)
    assert load_settings().mail_from == "Paperwire <paperwire@localhost>"
    assert load_settings().smtp_url is None
    monkeypatch.setenv("PAPERWIRE_MAIL_FROM", "papers@example.org")
    assert load_settings().mail_from == "papers@example.org"
    monkeypatch.setenv("PAPERWIRE_MAIL_FROM", "not an address")
    with pytest.raises(PaperwireError, match=r"^PAPERWIRE_MAIL_FROM: must be an address like"):
        load_settings()
