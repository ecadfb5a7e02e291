-- Issue #17: a photo or document sent with a caption while filing keeps its caption (what the
-- citizen wrote on that file); staff get it with the file. NULL for files without one and for
-- files stored by earlier releases (their captions were not kept).
ALTER TABLE attachments ADD COLUMN caption TEXT;
