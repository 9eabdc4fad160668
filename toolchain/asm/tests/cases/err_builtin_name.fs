\ error: 3:3 `dup` is a built-in word
\ kind: duplicate_name
: dup ;
