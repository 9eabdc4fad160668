\ @ after a literal even address below $2000: call $1000+a/2 (the fetch path).
\ expect: 0002 0000 5001 5080 5000 5fff
\ symbol: v variable $0002
variable v
: main v @ $100 @ 0 @ $1ffe @ ;fallthru
