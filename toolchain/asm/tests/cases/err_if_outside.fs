\ error: 3:3 can only be used inside a definition
\ kind: wrong_mode
1 if
