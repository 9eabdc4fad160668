\ A slot may be a constant or any number form; registers are case-insensitive.
\ expect: 0001 7887 7a67 789f 7007 7083
7 constant slot
: main nb@ slot nn! slot n3 NB@ $1f BSEL B7 nsel N3 ;fallthru
