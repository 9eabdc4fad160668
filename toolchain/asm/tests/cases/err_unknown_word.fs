\ error: 3:5 unknown word `frob`
\ kind: unknown_word
1 2 frob
