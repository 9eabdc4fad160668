\ error: 3:12 unknown word `frob`
\ kind: unknown_word
: main 1 2 frob ;
