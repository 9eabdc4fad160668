\ tree.fs — a binary search tree made of nodes, built and walked with node
\ keys alone. Each tree node keeps its left child in node slot 0, its right
\ child in node slot 1, its parent in node slot 2, and a block holding its
\ value in block slot 0. The root node (n0) is the header: its node slot 0
\ is the tree's root. Registers: n1 is the cursor, n2 and n3 are scratch.
\ The walk is iterative (parent links), because keys never go on a stack.
include lib/io.fs

: value ( -- v )  nb@ 0  0 b@ ;      \ value of the current node

: new-node ( v -- )                   \ n2 := a new node holding v, parent n1
    nsel n2 nalloc drop
    bsel b0 balloc drop  0 b!  nb! 0
    nn! 2 n1 ;

: plant ( v -- )                      \ the first value becomes the tree's root
    nsel n1 ncopy n0  new-node  nsel n0 nn! 0 n2 ;

: insert ( v -- )
    nsel n0 nn@ 0 n1
    begin
        dup nsel n1 value < invert 1 and      ( v slot: 0 left, 1 right )
        dup nn@i n2
        nsel n2 n? 0= if
            swap new-node  nsel n1 nn!i n2  exit
        then
        drop nsel n1 ncopy n2
    again ;

: leftmost ( -- )                     \ n1 := the leftmost node below n1
    begin nsel n1 nn@ 0 n2  nsel n2 n? while nsel n1 ncopy n2 repeat ;

: up ( -- f )                         \ climb until arriving from a left child
    begin
        nsel n2 ncopy n1
        nsel n1 nn@ 2 n1
        nkey= n0 if 0 exit then          \ climbed past the tree's root
        nn@ 0 n3  nsel n3 nkey= n2 if -1 exit then
    again ;

: walk ( -- )                         \ in-order: prints the values sorted
    nsel n0 nn@ 0 n1  leftmost
    begin
        nsel n1 value .
        nsel n1 nn@ 1 n2  nsel n2 n? if
            nsel n1 ncopy n2  leftmost
        else
            up 0= if exit then
        then
    again ;

: main
    init
    50 plant
    30 insert 70 insert 20 insert 40 insert 60 insert
    80 insert 35 insert 65 insert 10 insert 45 insert
    walk cr halt ;
