\ error: inc/bad.fs:2:3 unknown word `frob`
\ kind: unknown_word
include inc/bad.fs
