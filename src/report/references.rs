//! The works the report cites, in full: what "(Mu & Viswanath 2018)" in a
//! demo's prose or beside a claim refers to.
//!
//! The demos and `analyze`'s and `compare`'s pages cite by author and year;
//! each page ends with the works it cites. Tests scan the pages for
//! author–year citations, so a citation without an entry here, or an entry
//! nothing cites, fails them.

use serde::Serialize;

/// One cited work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Work {
    /// As the text cites it, authors then year: `Mu & Viswanath 2018`.
    pub cited_as: &'static str,
    /// Every author, as the work lists them.
    pub authors: &'static str,
    /// The title.
    pub title: &'static str,
    /// Where it was published, and its arXiv identifier when it has one.
    pub published: &'static str,
}

/// Every work the report's demos or `analyze`'s and `compare`'s pages cite, by
/// first author.
pub const WORKS: &[Work] = &[
    Work {
        cited_as: "Arora et al. 2016",
        authors: "Sanjeev Arora, Yuanzhi Li, Yingyu Liang, Tengyu Ma, Andrej Risteski",
        title: "A Latent Variable Model Approach to PMI-based Word Embeddings",
        published: "Transactions of the ACL 4, 385–399 (2016); arXiv:1502.03520",
    },
    Work {
        cited_as: "Arora et al. 2018",
        authors: "Sanjeev Arora, Yuanzhi Li, Yingyu Liang, Tengyu Ma, Andrej Risteski",
        title: "Linear Algebraic Structure of Word Senses, with Applications to Polysemy",
        published: "Transactions of the ACL 6, 483–495 (2018); arXiv:1601.03764",
    },
    Work {
        cited_as: "Bolukbasi et al. 2016",
        authors: "Tolga Bolukbasi, Kai-Wei Chang, James Zou, Venkatesh Saligrama, Adam Kalai",
        title: "Man is to Computer Programmer as Woman is to Homemaker? Debiasing Word Embeddings",
        published: "Advances in Neural Information Processing Systems 29 (NeurIPS 2016); arXiv:1607.06520",
    },
    Work {
        cited_as: "Caliskan, Bryson & Narayanan 2017",
        authors: "Aylin Caliskan, Joanna J. Bryson, Arvind Narayanan",
        title: "Semantics derived automatically from language corpora contain human-like biases",
        published: "Science 356 (6334), 183–186 (2017)",
    },
    Work {
        cited_as: "Ethayarajh 2019",
        authors: "Kawin Ethayarajh",
        title: "How Contextual are Contextualized Word Representations? Comparing the Geometry of \
                BERT, ELMo, and GPT-2 Embeddings",
        published: "EMNLP-IJCNLP 2019, 55–65; arXiv:1909.00512",
    },
    Work {
        cited_as: "Gao et al. 2019",
        authors: "Jun Gao, Di He, Xu Tan, Tao Qin, Liwei Wang, Tie-Yan Liu",
        title: "Representation Degeneration Problem in Training Natural Language Generation Models",
        published: "ICLR 2019; arXiv:1907.12009",
    },
    Work {
        cited_as: "Gonen & Goldberg 2019",
        authors: "Hila Gonen, Yoav Goldberg",
        title: "Lipstick on a Pig: Debiasing Methods Cover up Systematic Gender Biases in Word \
                Embeddings But do not Remove Them",
        published: "NAACL-HLT 2019, 609–614; arXiv:1903.03862",
    },
    Work {
        cited_as: "Hewitt 2021",
        authors: "John Hewitt",
        title: "Initializing New Word Embeddings for Pretrained Language Models",
        published: "Blog post, Stanford NLP (2021)",
    },
    Work {
        cited_as: "Land & Bartolo 2024",
        authors: "Sander Land, Max Bartolo",
        title: "Fishing for Magikarp: Automatically Detecting Under-trained Tokens in Large Language \
                Models",
        published: "EMNLP 2024; arXiv:2405.05417",
    },
    Work {
        cited_as: "Levy & Goldberg 2014a",
        authors: "Omer Levy, Yoav Goldberg",
        title: "Linguistic Regularities in Sparse and Explicit Word Representations",
        published: "CoNLL 2014, 171–180",
    },
    Work {
        cited_as: "Levy & Goldberg 2014b",
        authors: "Omer Levy, Yoav Goldberg",
        title: "Neural Word Embedding as Implicit Matrix Factorization",
        published: "Advances in Neural Information Processing Systems 27 (NeurIPS 2014)",
    },
    Work {
        cited_as: "Levy, Goldberg & Dagan 2015",
        authors: "Omer Levy, Yoav Goldberg, Ido Dagan",
        title: "Improving Distributional Similarity with Lessons Learned from Word Embeddings",
        published: "Transactions of the ACL 3, 211–225 (2015)",
    },
    Work {
        cited_as: "McInnes, Healy & Melville 2018",
        authors: "Leland McInnes, John Healy, James Melville",
        title: "UMAP: Uniform Manifold Approximation and Projection for Dimension Reduction",
        published: "arXiv:1802.03426 (2018)",
    },
    Work {
        cited_as: "Mikolov et al. 2013",
        authors: "Tomas Mikolov, Kai Chen, Greg Corrado, Jeffrey Dean",
        title: "Efficient Estimation of Word Representations in Vector Space",
        published: "ICLR 2013 workshop; arXiv:1301.3781",
    },
    Work {
        cited_as: "Mikolov, Yih & Zweig 2013",
        authors: "Tomas Mikolov, Wen-tau Yih, Geoffrey Zweig",
        title: "Linguistic Regularities in Continuous Space Word Representations",
        published: "NAACL-HLT 2013, 746–751",
    },
    Work {
        cited_as: "Mu & Viswanath 2018",
        authors: "Jiaqi Mu, Pramod Viswanath",
        title: "All-but-the-Top: Simple and Effective Postprocessing for Word Representations",
        published: "ICLR 2018; arXiv:1702.01417",
    },
    Work {
        cited_as: "Oyama, Yokoi & Shimodaira 2023",
        authors: "Momose Oyama, Sho Yokoi, Hidetoshi Shimodaira",
        title: "Norm of Word Embedding Encodes Information Gain",
        published: "EMNLP 2023, 2108–2130; arXiv:2212.09663",
    },
    Work {
        cited_as: "Pennington, Socher & Manning 2014",
        authors: "Jeffrey Pennington, Richard Socher, Christopher D. Manning",
        title: "GloVe: Global Vectors for Word Representation",
        published: "EMNLP 2014, 1532–1543",
    },
    Work {
        cited_as: "Ravfogel et al. 2020",
        authors: "Shauli Ravfogel, Yanai Elazar, Hila Gonen, Michael Twiton, Yoav Goldberg",
        title: "Null It Out: Guarding Protected Attributes by Iterative Nullspace Projection",
        published: "ACL 2020, 7237–7256; arXiv:2004.07667",
    },
    Work {
        cited_as: "Reimers & Gurevych 2019",
        authors: "Nils Reimers, Iryna Gurevych",
        title: "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks",
        published: "EMNLP-IJCNLP 2019, 3982–3992; arXiv:1908.10084",
    },
    Work {
        cited_as: "Schakel & Wilson 2015",
        authors: "Adriaan M. J. Schakel, Benjamin J. Wilson",
        title: "Measuring Word Significance using Distributed Representations of Words",
        published: "arXiv:1508.02297 (2015)",
    },
    Work {
        cited_as: "Schönemann 1966",
        authors: "Peter H. Schönemann",
        title: "A Generalized Solution of the Orthogonal Procrustes Problem",
        published: "Psychometrika 31 (1), 1–10 (1966)",
    },
    Work {
        cited_as: "Steck, Ekanadham & Kallus 2024",
        authors: "Harald Steck, Chaitanya Ekanadham, Nathan Kallus",
        title: "Is Cosine-Similarity of Embeddings Really About Similarity?",
        published: "Companion Proceedings of the ACM Web Conference 2024; arXiv:2403.05440",
    },
    Work {
        cited_as: "Wang et al. 2020",
        authors: "Wenhui Wang, Furu Wei, Li Dong, Hangbo Bao, Nan Yang, Ming Zhou",
        title: "MiniLM: Deep Self-Attention Distillation for Task-Agnostic Compression of \
                Pre-Trained Transformers",
        published: "Advances in Neural Information Processing Systems 33 (NeurIPS 2020); arXiv:2002.10957",
    },
];

/// The works cited in `texts`, in [`WORKS`] order. A citation counts in any
/// of the forms prose uses: `Mu & Viswanath 2018`, `Mu and Viswanath (2018)`,
/// `(Mu & Viswanath, 2018)`, split across lines or not.
pub fn cited_in<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<&'static Work> {
    let text = texts.into_iter().map(normalised).collect::<Vec<_>>().join("\n");
    WORKS.iter().filter(|w| text.contains(w.cited_as)).collect()
}

/// `text` with citations in one form: whitespace runs as one space, ` and `
/// as ` & `, no comma or parenthesis between the names and the year.
pub fn normalised(text: &str) -> String {
    let spaced = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = spaced.replace(" and ", " & ");
    for century in ["19", "20"] {
        for before in [", ", " ("] {
            out = out.replace(&format!("{before}{century}"), &format!(" {century}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_citation_finds_its_work() {
        for text in [
            "as Mu & Viswanath 2018 found",
            "Mu and Viswanath (2018) found",
            "(Mu and Viswanath, 2018)",
            "Mu &\n   Viswanath (2018)",
        ] {
            let found = cited_in([text]);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].cited_as, "Mu & Viswanath 2018");
        }
        assert!(cited_in(["Viswanath 2018", "Mu & Viswanath 2019"]).is_empty());
        // The year's letter tells two works of the same authors and year apart.
        let both = cited_in(["Levy & Goldberg 2014a", "Levy and Goldberg (2014b)"]);
        assert_eq!(both.len(), 2);
    }

    #[test]
    fn works_are_listed_once_each_by_first_author() {
        let keys: Vec<&str> = WORKS.iter().map(|w| w.cited_as).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(keys, sorted);
        for work in WORKS {
            let year = work.cited_as.rsplit(' ').next().unwrap();
            assert!(
                work.published.contains(year.trim_end_matches(['a', 'b'])),
                "{}: the year cited is where it was published",
                work.cited_as
            );
        }
    }
}
