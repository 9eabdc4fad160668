\ error: 4:10 image over 4096 words: `2` in `main`
\ kind: image_too_large
$1ffe org
: main 1 2 ;
