\ Latin-1 in an included file: its string is kept, its comment skipped
\ expect @1: 00e9
include inc/latin1.fs
: main s1 ;fallthru
