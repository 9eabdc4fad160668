\ error: 4:1 unterminated comment
\ kind: unterminated
: main ;
( never closed
