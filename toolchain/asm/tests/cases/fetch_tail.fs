\ The fetch call at the end of a definition becomes a jump (a tail call into
\ the fetch path, which returns to the caller).
\ expect: 0002 0000 1001
variable v
: main v @ ;
