# check-password.sh - for the "password" test stack: pam_exec's
# expose_authtok gives the password on stdin, NUL-terminated; succeed only
# when it is s3cret.
PATH=/usr/bin:/bin
pw=$(tr -d '\000')
[ "$pw" = "s3cret" ]
