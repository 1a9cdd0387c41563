"""Messages as customers' mail systems send them: replies, delivery reports, auto-replies."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate


def reply(
    *,
    sender: str = "Jean Lefèvre <jean@atelier.example>",
    subject: str = "Re: Your invoice",
    text: str = "We never received the goods.\n\nOn Monday, Relance wrote:\n> Dear customer",
    in_reply_to: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
    to: str = "ar@relance.example",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = f"<{abs(hash((sender, subject, text)))}@customer.example>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    if text:
        message.set_content(text)
    if html:
        if text:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    return message


def hard_bounce(failed: str, original_message_id: str) -> bytes:
    """A delivery status notification (RFC 3464) as an MTA writes it for a 5.1.1."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.relance.example>\r\n"
        "To: ar@relance.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {formatdate()}\r\n"
        "Message-ID: <bounce-1@mx.relance.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered to {failed}.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.relance.example\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {failed}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "\r\n"
        "--B\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_message_id}\r\n"
        f"To: {failed}\r\n"
        "Subject: Reminder\r\n"
        "\r\n"
        "--B--\r\n"
    ).encode()
