\ inst emits a raw word, in either mode.
\ expect: 0002 7fff 6011 0000 ffff
inst $7fff
: main inst $6011 inst 0 ;fallthru
inst $ffff
