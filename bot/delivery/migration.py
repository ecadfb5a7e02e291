"""After the staff group became a supergroup: the new chat gets its menus and fresh ticket cards.

Telegram keeps the old basic group's messages in the old chat; a reply in the supergroup to a
card posted before the upgrade cannot name that card (the Bot API gives no chat or message id
for a basic group's message quoted from another chat). So every open ticket's card is posted
again in the new chat, through the outbox, and linked to its ticket there like any card:
replying to it answers the citizen, and its buttons work. Cards of confidential tickets stay
masked and protected.
"""

from __future__ import annotations

import logging

from telegram import Bot

from bot.delivery.context import Desk
from bot.delivery.menus import register_staff_commands
from bot.services.notices import card_keyboard_for, card_text
from bot.texts import common as common_texts
from storage.outbox import OutboxMessage, enqueue, text_message

log = logging.getLogger(__name__)

MOVED_PURPOSE = "staff_chat_moved"
RELINKED_PURPOSE = "ticket_card_relinked"


async def relink_staff_chat(desk: Desk, bot: Bot, old_chat_id: int, new_chat_id: int) -> int:
    """Posts the notice and the open tickets' cards in the new staff chat; returns how many."""
    tickets = await desk.tickets.list_open()
    now = desk.clock()
    messages: list[OutboxMessage] = [
        text_message(new_chat_id, common_texts.staff_chat_moved(new_chat_id, len(tickets)),
                     purpose=MOVED_PURPOSE)
    ]
    for ticket in tickets:
        message = text_message(new_chat_id, card_text(desk.calendar, ticket, now), purpose=RELINKED_PURPOSE,
                               ticket_id=ticket.id, reply_markup=card_keyboard_for(ticket))
        if ticket.confidential:
            message.payload["protect_content"] = True
        messages.append(message)
    async with desk.db.transaction() as conn:
        for message in messages:
            await enqueue(conn, message)
    log.info("staff chat moved old_chat_id=%s new_chat_id=%s cards_relinked=%s",
             old_chat_id, new_chat_id, len(tickets))
    await register_staff_commands(bot, new_chat_id)
    return len(tickets)
