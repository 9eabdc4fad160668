\ readonly.fs — a read-only key cannot write, and a key fetched through a
\ read-only node key comes out read-only (weakening is transitive). Refused
\ writes change nothing and are counted in `faults`.
include lib/io.fs

create rights-msg  ," rights: "
create faults-msg  ," faults: "
create word-msg    ," word 0: "

: show ( n counted-string -- )  print u. cr ;

: main
    init
    bsel b0 balloc drop  42 0 b!          \ b0: a fresh block, word 0 = 42
    bsel b1 bcopy b0 bweaken              \ b1: the same block, read-only
    b? rights-msg show                    \ 2 = read-only
    99 0 b!                               \ refused
    faults faults-msg show                \ 1
    bsel b0 0 b@ word-msg show            \ still 42

    \ Put the read-write key in a node, then look at it through a weakened node key.
    nsel n1 nalloc drop  bsel b0 nb! 0
    nsel n2 ncopy n1 nweaken
    bsel b2 nb@ 0                         \ b2 := slot 0 through the sense key
    b? rights-msg show                    \ 2: it came out read-only
    7 0 b!  7 0 bxchg drop                \ two more refused writes
    nb! 1                                 \ and a refused store into the node
    faults faults-msg show                \ 4
    bsel b0 0 b@ word-msg show            \ still 42
    halt ;
