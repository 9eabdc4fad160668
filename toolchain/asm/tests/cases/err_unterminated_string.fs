\ error: 3:10 unterminated string
\ kind: unterminated
create s ," abc
: main ;
