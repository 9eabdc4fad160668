\ Words are case-insensitive.
\ expect: 0001 6011 6110 608c 6811 6033 6403
: MAIN DUP Swap ExIt 2DUP< TUCK! OR ;FALLTHRU
