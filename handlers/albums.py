"""Albums: several photos or documents sent at once arrive as one message each, sharing a
``media_group_id``. The citizen gets one acknowledgement ("10 bukti diterima"), and evidence added
after filing reaches the staff chat as one album in reply to the ticket card.

Each part is noted in ``user_data`` (persisted with the update's journal mark, so a part that was
processed is never lost) and a short JobQueue job per album runs when no part came for
``ALBUM_WAIT``. If the process dies while an album is being collected, the parts not yet processed
are replayed from the update journal, and on start :func:`recover` schedules every album still
noted, so the acknowledgement and the hand-over to staff still happen (the hand-over is idempotent
by the album's id, so a second run files nothing twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.domain import callbacks as cb
from bot.domain.tickets import Attachment
from bot.services.tickets import TicketClosed, TicketNotFound
from bot.texts import desk as desk_texts
from bot.texts import evidence as texts
from bot.texts import filing as filing_texts
from handlers.util import FILING_DRAFT_KEY, Context, keyboard, send_html

log = logging.getLogger(__name__)

# user_data key (stored: a stable name): {media_group_id: album}.
ALBUMS_KEY = "albums"
FILING = "lapor"  # an album's target during filing; otherwise the ticket code
# Telegram delivers an album's parts within a moment of each other; wait this long after the last.
ALBUM_WAIT = dt.timedelta(seconds=1.5)
RECOVERY_DELAY = dt.timedelta(seconds=1)  # after start: replayed parts of the album join first
# handlers.filing.FilingStep.EVIDENCE (a stored name; spelled here to keep filing → albums one-way).
EVIDENCE_STEP = "filing.evidence"
DESCRIPTION_STEP = "filing.description"
_JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": 3600}


def _albums(context: Context) -> dict[str, dict[str, Any]]:
    assert context.user_data is not None
    albums: dict[str, dict[str, Any]] = context.user_data.setdefault(ALBUMS_KEY, {})
    return albums


def target_of(context: Context, media_group_id: str) -> str | None:
    """The target of an album already being collected (its later parts carry no reply or prompt)."""
    album = (context.user_data or {}).get(ALBUMS_KEY, {}).get(media_group_id)
    return album["target"] if album else None


def note_part(
    context: Context,
    *,
    user_id: int,
    chat_id: int,
    media_group_id: str,
    target: str,
    accepted: Attachment | None = None,
    refusal: str | None = None,
    caption: str = "",
) -> None:
    """Notes one part of an album (accepted or refused) and (re)schedules its acknowledgement."""
    album = _albums(context).setdefault(
        media_group_id, {"target": target, "chat_id": chat_id, "items": [], "accepted": 0, "refusals": []}
    )
    if accepted is not None:
        album["accepted"] += 1
        if target != FILING:  # during filing the draft holds the files already
            album["items"].append(accepted.model_dump())
    if refusal is not None and refusal not in album["refusals"]:
        album["refusals"].append(refusal)
    # ("caption": the one caption an album noted by an earlier release kept.)
    captions: list[str] = album.setdefault("captions", [album["caption"]] if album.get("caption") else [])
    if caption.strip() and caption.strip() not in captions:
        captions.append(caption.strip())  # each part may carry its own: together, the addition's text
    _schedule(context.application, user_id, chat_id, media_group_id, ALBUM_WAIT)


def _job_name(user_id: int, media_group_id: str) -> str:
    return f"album:{user_id}:{media_group_id}"


def _schedule(application: Application, user_id: int, chat_id: int, media_group_id: str,  # type: ignore[type-arg]
              when: dt.timedelta) -> None:
    queue = application.job_queue
    assert queue is not None
    name = _job_name(user_id, media_group_id)
    for job in queue.get_jobs_by_name(name):
        job.schedule_removal()  # a later part: wait again from now
    queue.run_once(_finish, when, data=media_group_id, name=name, user_id=user_id, chat_id=chat_id,
                   job_kwargs=_JOB_KWARGS)


async def _finish(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The album is complete: one acknowledgement, and after filing one hand-over to staff."""
    job = context.job
    assert job is not None and isinstance(job.data, str)
    ctx: Context = context  # type: ignore[assignment]
    album = _albums(ctx).get(job.data)
    if album is None:
        return
    try:
        if album["target"] == FILING:
            await _acknowledge_filing(ctx, album)
        else:
            await _hand_over(ctx, job.data, job.user_id, album)
    except Exception as error:
        # Only the error's type and frames: messages can quote what the citizen sent. The album
        # stays noted and is retried on the next start.
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("album failed error=%s\n%s", type(error).__name__, frames)
        return
    _albums(ctx).pop(job.data, None)


async def _acknowledge_filing(context: Context, album: dict[str, Any]) -> None:
    draft = (context.user_data or {}).get(FILING_DRAFT_KEY) or {}
    still_collecting = draft.get("step") == EVIDENCE_STEP
    total = len(draft.get("attachments", []))
    markup = keyboard([[(filing_texts.EVIDENCE_DONE_BUTTON, cb.FILING_EVIDENCE_DONE.build())]]) if still_collecting else None
    html = texts.album_received(album["accepted"], total, album["refusals"], still_collecting)
    if draft.get("step") == DESCRIPTION_STEP:  # an album without a usable caption at step 5
        html += "\n" + filing_texts.DESCRIPTION_STILL_NEEDED
    await send_html(context, album["chat_id"], html, markup)


async def _hand_over(context: Context, media_group_id: str, user_id: int | None, album: dict[str, Any]) -> None:
    assert user_id is not None
    code = album["target"]
    chat_id = album["chat_id"]
    items = tuple(Attachment(**item) for item in album["items"])
    text = "\n\n".join(album.get("captions") or [album.get("caption", "")]).strip()
    if not items and not text:
        await send_html(context, chat_id, "\n\n".join(album["refusals"]))
        return
    try:
        outcome = await context.desk.tickets.add_citizen_message(
            code, user_id, text, items,
            idempotency_key=f"citizen_message:album:{chat_id}:{media_group_id}",
        )
    except TicketNotFound:
        await send_html(context, chat_id, desk_texts.TICKET_NOT_FOUND)
        return
    except TicketClosed:
        await send_html(context, chat_id, desk_texts.ticket_closed_for_citizen(code))
        return
    if not outcome.replayed:
        await send_html(context, chat_id, texts.album_forwarded(code, len(items), album["refusals"]))


def recover(application: Application) -> None:  # type: ignore[type-arg]
    """On start: every album still noted (the process stopped while collecting) is finished."""
    for user_id, data in list(application.user_data.items()):
        for media_group_id, album in list((data or {}).get(ALBUMS_KEY, {}).items()):
            _schedule(application, user_id, album["chat_id"], media_group_id, RECOVERY_DELAY)


def register(application: Application) -> None:  # type: ignore[type-arg]
    hooks = getattr(application, "start_hooks", None)
    if hooks is not None:
        hooks.append(recover)
