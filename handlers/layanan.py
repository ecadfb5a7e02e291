"""/layanan and «Informasi Layanan»: the service standard, one section at a time.

The overview carries one button per section (``lyn:<key>``). Pressing one turns that same
message into the section, with «Kembali» to the overview, so reading the standard on a phone
leaves one message in the chat instead of a stack of them. Content comes from
:class:`bot.services.service_info.ServiceInfo`; the complaint deadlines from ``[tiers]``.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import callbacks as cb
from bot.services.service_info import ServiceInfo
from bot.texts import layanan as texts
from handlers.groups import MAIN_GROUP
from handlers.util import Context, in_private_chat, in_staff_chat, keyboard, reply_html

OVERVIEW = cb.SERVICE_SECTION.build(key="menu")
# Sections after which the citizen may well want to complain: offer the filing button there.
COMPLAINT_SECTIONS = {"pengaduan", "jangka_waktu"}



def overview_markup(info: ServiceInfo) -> InlineKeyboardMarkup:
    return keyboard([[(label, cb.SERVICE_SECTION.build(key=key))] for key, label in info.sections()])


def section_markup(key: str, *, private: bool) -> InlineKeyboardMarkup:
    rows = []
    if private and key in COMPLAINT_SECTIONS:
        rows.append([(texts.FILE_COMPLAINT_BUTTON, cb.MENU_FILE.build())])
    rows.append([(texts.BACK_BUTTON, OVERVIEW)])
    return keyboard(rows)


async def show_overview(update: Update, context: Context) -> None:
    """Sends the overview as a new message (the menu button's query is answered by its caller)."""
    if not (in_private_chat(update) or in_staff_chat(update, context)):
        return
    info = context.desk.service_info
    await reply_html(update, context, info.render_overview(), overview_markup(info))


async def service_info_command(update: Update, context: Context) -> None:
    await show_overview(update, context)


async def section_button(update: Update, context: Context) -> None:
    """lyn:<key> shows a section in place of the pressed message; lyn:menu goes back."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    info = context.desk.service_info
    key = cb.SERVICE_SECTION.field(query.data, "key")
    if query.data == OVERVIEW:
        html, markup = info.render_overview(), overview_markup(info)
    else:
        try:
            html = info.render(key, context.desk.settings.tiers)
        except KeyError:
            return  # a section that no longer exists (an old message after an update)
        markup = section_markup(key, private=in_private_chat(update))
    if isinstance(query.message, Message) and query.message.text is not None:
        try:
            await query.edit_message_text(html, parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return  # pressed twice
            # Too old to edit, or too long for one message: send it as new message(s) instead.
    await reply_html(update, context, html, markup)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("layanan", service_info_command), MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(section_button, pattern=cb.SERVICE_SECTION.pattern), MAIN_GROUP)
