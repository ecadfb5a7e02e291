"""Bot API limits and vocabularies the double enforces, and the methods it implements."""

from __future__ import annotations

import re

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_TEXT = 200
MAX_INLINE_BUTTONS = 100  # approximation of Telegram's REPLY_MARKUP_TOO_LONG
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_MEDIA_GROUP = 10
MAX_COMMANDS = 100
MAX_COPY_TEXT = 256
MAX_SECRET_TOKEN = 256
MESSAGE_DELETE_WINDOW = 48 * 3600
# A callback on a message older than this carries an InaccessibleMessage (date 0): the
# Bot API server no longer has the message (approximation of its cache lifetime).
CALLBACK_MESSAGE_WINDOW = 48 * 3600

DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)
ALL_UPDATE_TYPES = DEFAULT_ALLOWED_UPDATES | {
    "chat_member", "message_reaction", "message_reaction_count",
}
CHAT_ACTIONS = frozenset(
    {
        "cancel", "typing", "record_video", "upload_video", "record_audio", "record_voice",
        "upload_audio", "upload_voice", "upload_photo", "upload_document", "choose_sticker",
        "pick_up_location", "find_location", "record_video_note", "upload_video_note",
    }
)
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
INLINE_ACTIONS = (
    "url", "callback_data", "callback_game", "pay", "switch_inline_query",
    "switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url",
    "web_app", "copy_text",
)
FILE_TYPE_NAMES = {
    "photo": "Photo", "document": "Document", "sticker": "Sticker", "voice": "VoiceNote",
    "video": "Video", "audio": "Audio", "animation": "Animation",
}
FILE_ID_PREFIX = {
    "photo": "AgACAgUAAxkBAAI", "document": "BQACAgUAAxkBAAI", "sticker": "CAACAgUAAxkBAAI",
    "voice": "AwACAgUAAxkBAAI", "video": "BAACAgUAAxkBAAI", "audio": "CQACAgUAAxkBAAI",
    "animation": "CgACAgUAAxkBAAI",
}
SEND_METHODS = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendmediagroup", "copymessage", "forwardmessage"}
)
COMMAND_RE = re.compile(r"(?<![\w/])/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{3,64})?(?![\w/@])")
BOT_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF")

# The Bot API methods the double implements; each is an ``_api_<name>`` handler on FakeTelegram.
API_METHODS = (
    "getMe", "getUpdates", "sendMessage", "editMessageText", "editMessageCaption",
    "editMessageReplyMarkup", "deleteMessage", "deleteMessages", "sendPhoto",
    "sendDocument", "sendMediaGroup", "copyMessage", "forwardMessage",
    "answerCallbackQuery", "setMyCommands", "getMyCommands", "deleteMyCommands",
    "getChat", "getChatMember", "getChatMemberCount", "getChatAdministrators",
    "leaveChat", "sendChatAction", "setWebhook", "deleteWebhook", "getWebhookInfo",
    "getFile", "close", "logOut",
)
