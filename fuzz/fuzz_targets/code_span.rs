//! Code spans: any text splits into pieces without a panic, and every span it
//! holds, written again by `code_span`, reads back as the same one span.
#![no_main]

use embspace::code_span::{Piece, code_span, pieces};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for piece in pieces(text) {
        if let Piece::Code(code) = piece {
            if !code.is_empty() {
                assert_eq!(pieces(&code_span(code)), [Piece::Code(code)]);
            }
        }
    }
    if !text.is_empty() {
        assert_eq!(pieces(&code_span(text)), [Piece::Code(text)]);
    }
});
