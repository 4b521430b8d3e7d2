# check-items.sh - for the "items" test stack: pam_exec passes the PAM
# items as PAM_* variables (an unset item is left out); succeed only when
# they are what pam/pam.h promises: service cutover, PAM_RUSER = PAM_USER,
# PAM_TTY set (possibly empty), no PAM_RHOST.
[ "$PAM_SERVICE" = cutover ] || exit 2
[ -n "$PAM_USER" ] && [ "$PAM_RUSER" = "$PAM_USER" ] || exit 3
[ "${PAM_TTY+set}" = set ] || exit 4
[ -z "${PAM_RHOST+set}" ] || exit 5
