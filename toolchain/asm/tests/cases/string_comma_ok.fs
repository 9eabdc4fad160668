\ A string keeps spaces and parentheses; a following token is separate.
\ expect: 0005 2805 6120 2920 0000
create s ," ( a )" 0 c,
: main ;fallthru
