-- Conversation states become stable names. Releases up to 0.1 stored the filing and /catat
-- conversations' steps as bare integers (their position in a Python tuple), so adding or
-- reordering a step would have sent every conversation in flight to the wrong question.
-- Rewrite the integers of conversations in flight into the names the code now uses, and record
-- the step in the filing draft too (the bot reads the citizen's step from the draft).

-- Filing (/lapor): NAME, CONTACT, KIND, PACKAGE, DESCRIPTION, EVIDENCE, CONFIDENTIAL, CONFIRM, EDIT = 0..8.
UPDATE persistence
SET value = json_quote(CASE value
    WHEN '0' THEN 'filing.name'
    WHEN '1' THEN 'filing.contact'
    WHEN '2' THEN 'filing.kind'
    WHEN '3' THEN 'filing.package'
    WHEN '4' THEN 'filing.description'
    WHEN '5' THEN 'filing.evidence'
    WHEN '6' THEN 'filing.confidential'
    WHEN '7' THEN 'filing.confirm'
    WHEN '8' THEN 'filing.edit'
END)
WHERE kind = 'conversation' AND json_extract(key, '$[0]') = 'filing'
  AND value IN ('0', '1', '2', '3', '4', '5', '6', '7', '8');

-- /catat: CHANNEL, TIER, NAME, CONTACT, DESCRIPTION = 0..4.
UPDATE persistence
SET value = json_quote(CASE value
    WHEN '0' THEN 'catat.channel'
    WHEN '1' THEN 'catat.tier'
    WHEN '2' THEN 'catat.name'
    WHEN '3' THEN 'catat.contact'
    WHEN '4' THEN 'catat.description'
END)
WHERE kind = 'conversation' AND json_extract(key, '$[0]') = 'catat'
  AND value IN ('0', '1', '2', '3', '4');

-- The filing draft (user data) learns its step from the user's private-chat conversation
-- (key ["filing", [chat_id, user_id]], the chat being the user's own).
UPDATE persistence
SET value = json_set(value, '$.draft.step', (
    SELECT json_extract(c.value, '$') FROM persistence AS c
    WHERE c.kind = 'conversation' AND json_extract(c.key, '$[0]') = 'filing'
      AND json_extract(c.key, '$[1][1]') = CAST(persistence.key AS INTEGER)
      AND json_extract(c.key, '$[1][0]') = CAST(persistence.key AS INTEGER)
))
WHERE kind = 'user' AND json_type(value, '$.draft') = 'object'
  AND EXISTS (
    SELECT 1 FROM persistence AS c
    WHERE c.kind = 'conversation' AND json_extract(c.key, '$[0]') = 'filing'
      AND json_extract(c.key, '$[1][1]') = CAST(persistence.key AS INTEGER)
      AND json_extract(c.key, '$[1][0]') = CAST(persistence.key AS INTEGER)
  );
