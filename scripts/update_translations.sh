#!/usr/bin/env bash
# Refresh the Simplified Chinese catalog: extract every marked string into
# app/translations/messages.pot, merge it into zh_Hans/LC_MESSAGES/messages.po
# (existing translations are kept; new strings arrive untranslated, changed ones
# fuzzy), then compile messages.mo. Commit both the .po and the .mo: the app reads
# the .mo at run time and deployment has no build step.
#
# After running: translate the new/fuzzy entries in the .po, then run this again
# (or just `pybabel compile`) so the .mo matches. tests/test_i18n.py fails until
# every string is translated and the .mo is current.
set -euo pipefail

cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
DIR=app/translations
POT="$DIR/messages.pot"
LOCALE=zh_Hans
PO="$DIR/$LOCALE/LC_MESSAGES/messages.po"

"$PYBABEL" --quiet extract -F babel.cfg -k _l -k lazy_gettext -k M_ \
    --project=pkyx --copyright-holder="pkyx contributors" \
    --sort-by-file --no-wrap -o "$POT" .

if [[ -f "$PO" ]]; then
    "$PYBABEL" update -i "$POT" -d "$DIR" -l "$LOCALE" --no-wrap \
        --ignore-obsolete --ignore-pot-creation-date
else
    "$PYBABEL" init -i "$POT" -d "$DIR" -l "$LOCALE" --no-wrap
fi

# Without --use-fuzzy, fuzzy entries are left out of the .mo (shown in English).
"$PYBABEL" compile -d "$DIR" --statistics
