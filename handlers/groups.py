"""Handler groups: lower runs first; in each group only the first matching handler runs.

Guards stop unwanted updates before anything else sees them; everything else shares the main group,
registered in priority order (the filing conversation first, the catch-alls last).
"""

GUARD_GROUP = -10
MAIN_GROUP = 0
# Runs after the main group handled an update (notes about it, e.g. a staff text cut by Telegram).
AFTER_GROUP = 10
