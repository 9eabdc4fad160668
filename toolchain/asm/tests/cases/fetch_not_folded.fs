\ No fetch path for an odd address, an address >= $2000, a two-word literal,
\ or when a branch lands between the literal and @.
\ expect: 0001 8003 400c a000 400c ffff 6600 400c 8000 200b 8004 400c
\ expect: a000 6403 6127 608c
: main
  3 @
  $2000 @
  $8000 @
  0 if 4 then @
;fallthru
