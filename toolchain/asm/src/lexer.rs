//! The token level: whitespace-separated words, `\` and `( )` comments, and the
//! string words `,"` and `s,"`, parsed with nom.
//!
//! The lexer is pulled one token at a time because, as in Forth, some words
//! read the next token *raw* (a name after `:`, the character after `char`):
//! a raw token is never taken as a comment or string opener.

use nom::bytes::complete::{take_till, take_till1, take_until, take_while};
use nom::character::complete::not_line_ending;
use nom::IResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind<'a> {
    /// An ordinary whitespace-delimited word.
    Word,
    /// `," text"` (counted) or `s," text"` (raw): the text and its start offset.
    Str {
        counted: bool,
        text: &'a str,
        text_start: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The word as written (for a string: the opening word, `,"` or `s,"`).
    pub text: &'a str,
    /// Byte range of the whole token (for a string: through the closing quote).
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind<'a>,
}

/// A comment or string that never ends: the byte range of its opener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LexError {
    Comment { start: usize, end: usize },
    String { start: usize, end: usize },
}

pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

fn skip_space(i: &str) -> IResult<&str, &str> {
    take_while(is_space)(i)
}

fn word(i: &str) -> IResult<&str, &str> {
    take_till1(is_space)(i)
}

fn paren_comment_body(i: &str) -> IResult<&str, &str> {
    take_until(")")(i)
}

fn string_body(i: &str) -> IResult<&str, &str> {
    take_till(|c| c == '"' || c == '\n')(i)
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer { src, pos: 0 }
    }

    fn offset(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    /// The next token, skipping comments unless `raw`. `Ok(None)` at the end.
    pub fn next(&mut self, raw: bool) -> Result<Option<Token<'a>>, LexError> {
        loop {
            let rest = &self.src[self.pos..];
            // Neither parser can fail on &str input: take_while accepts empty
            // input, and word is only tried on non-empty, non-space input.
            let rest = match skip_space(rest) {
                Ok((r, _)) => r,
                Err(_) => rest,
            };
            let start = self.offset(rest);
            self.pos = start;
            let Ok((after, text)) = word(rest) else {
                return Ok(None);
            };
            let end = self.offset(after);
            self.pos = end;
            if !raw {
                if text == "\\" {
                    let r = not_line_ending::<&str, ()>(after).map_or("", |(r, _)| r);
                    self.pos = self.offset(r);
                    continue;
                }
                if text == "(" {
                    match paren_comment_body(after) {
                        Ok((r, _)) => {
                            self.pos = self.offset(r) + 1;
                            continue;
                        }
                        Err(_) => {
                            self.pos = self.src.len();
                            return Err(LexError::Comment { start, end });
                        }
                    }
                }
                let counted = text == ",\"";
                if counted || text.eq_ignore_ascii_case("s,\"") {
                    return self.string(text, start, end, counted);
                }
            }
            return Ok(Some(Token {
                text,
                start,
                end,
                kind: TokenKind::Word,
            }));
        }
    }

    /// The text after `,"`: one delimiting space is skipped, then everything
    /// up to `"` on the same line.
    fn string(
        &mut self,
        text: &'a str,
        start: usize,
        end: usize,
        counted: bool,
    ) -> Result<Option<Token<'a>>, LexError> {
        let unterminated = LexError::String { start, end };
        let after = &self.src[end..];
        let mut chars = after.chars();
        let body = match chars.next() {
            Some(c) if c != '\n' && c != '\r' => chars.as_str(),
            _ => {
                self.pos = self.src.len();
                return Err(unterminated);
            }
        };
        let text_start = self.offset(body);
        let (rest, s) = string_body(body).map_err(|_| unterminated)?;
        if !rest.starts_with('"') {
            self.pos = self.src.len();
            return Err(unterminated);
        }
        self.pos = self.offset(rest) + 1;
        Ok(Some(Token {
            text,
            start,
            end: self.pos,
            kind: TokenKind::Str {
                counted,
                text: s,
                text_start,
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<&str> {
        let mut lx = Lexer::new(src);
        let mut v = Vec::new();
        while let Some(t) = lx.next(false).unwrap() {
            v.push(t.text);
        }
        v
    }

    #[test]
    fn comments_are_skipped() {
        assert_eq!(words("a \\ b c\nd ( e f ) g"), ["a", "d", "g"]);
        assert_eq!(words("(a) ( x\ny ) z"), ["(a)", "z"]);
        assert_eq!(words("x \\"), ["x"]);
    }

    #[test]
    fn strings() {
        let mut lx = Lexer::new(",\" hi there\" s,\" x\" ,\" \"");
        let t = lx.next(false).unwrap().unwrap();
        assert!(matches!(
            t.kind,
            TokenKind::Str {
                counted: true,
                text: "hi there",
                ..
            }
        ));
        let t = lx.next(false).unwrap().unwrap();
        assert!(matches!(
            t.kind,
            TokenKind::Str {
                counted: false,
                text: "x",
                ..
            }
        ));
        let t = lx.next(false).unwrap().unwrap();
        assert!(matches!(t.kind, TokenKind::Str { text: "", .. }));
        assert_eq!(lx.next(false).unwrap(), None);
    }

    #[test]
    fn unterminated() {
        assert!(matches!(
            Lexer::new("a ( b")
                .next(false)
                .map(|_| ())
                .and(Lexer::new("( b").next(false)),
            Err(LexError::Comment { start: 0, end: 1 })
        ));
        assert_eq!(
            Lexer::new(",\" abc\n\"").next(false),
            Err(LexError::String { start: 0, end: 2 })
        );
        assert_eq!(
            Lexer::new(",\"").next(false),
            Err(LexError::String { start: 0, end: 2 })
        );
    }

    #[test]
    fn raw_tokens_are_not_comments() {
        let mut lx = Lexer::new("( \\");
        assert_eq!(lx.next(true).unwrap().unwrap().text, "(");
        assert_eq!(lx.next(true).unwrap().unwrap().text, "\\");
    }
}
