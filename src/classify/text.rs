//! Text normalisation for matching: full-width to half-width, traditional to
//! simplified (for the characters of unit names and campaign keywords),
//! lower-case ASCII, and either no punctuation (keywords match regardless of
//! punctuation and spacing) or punctuation as a separator (unit names, where
//! what stands next to a short place name matters).

/// Traditional → simplified for the characters that occur in unit names,
/// project/item titles and keywords (Big5 and Hong Kong clients).
const TRAD: &[(char, char)] = &[
    ('東', '东'),
    ('團', '团'),
    ('鎮', '镇'),
    ('會', '会'),
    ('員', '员'),
    ('龍', '龙'),
    ('萬', '万'),
    ('橫', '横'),
    ('瀝', '沥'),
    ('橋', '桥'),
    ('頭', '头'),
    ('謝', '谢'),
    ('崗', '岗'),
    ('長', '长'),
    ('湧', '涌'),
    ('鳳', '凤'),
    ('嶺', '岭'),
    ('門', '门'),
    ('黃', '黄'),
    ('廈', '厦'),
    ('電', '电'),
    ('網', '网'),
    ('業', '业'),
    ('衛', '卫'),
    ('計', '计'),
    ('劃', '划'),
    ('運', '运'),
    ('輸', '输'),
    ('農', '农'),
    ('銀', '银'),
    ('實', '实'),
    ('資', '资'),
    ('郵', '邮'),
    ('國', '国'),
    ('綜', '综'),
    ('廣', '广'),
    ('責', '责'),
    ('總', '总'),
    ('與', '与'),
    ('學', '学'),
    ('習', '习'),
    ('書', '书'),
    ('記', '记'),
    ('講', '讲'),
    ('話', '话'),
    ('願', '愿'),
    ('創', '创'),
    ('聲', '声'),
    ('體', '体'),
    ('務', '务'),
    ('圓', '圆'),
    ('夢', '梦'),
    ('矯', '矫'),
    ('區', '区'),
    ('社', '社'),
    ('隊', '队'),
    ('號', '号'),
    ('鋒', '锋'),
    ('選', '选'),
    ('樹', '树'),
    ('進', '进'),
    ('動', '动'),
    ('線', '线'),
    ('聯', '联'),
    ('繫', '系'),
    ('係', '系'),
    ('幹', '干'),
    ('設', '设'),
    ('建', '建'),
    ('媒', '媒'),
    ('參', '参'),
    ('礎', '础'),
    ('層', '层'),
    ('導', '导'),
    ('傳', '传'),
    ('貫', '贯'),
    ('徹', '彻'),
    ('屆', '届'),
    ('開', '开'),
    ('況', '况'),
    ('報', '报'),
    ('關', '关'),
    ('於', '于'),
    ('項', '项'),
    ('強', '强'),
    ('統', '统'),
    ('籌', '筹'),
    ('構', '构'),
    ('戰', '战'),
    ('題', '题'),
    ('讀', '读'),
    ('專', '专'),
    ('職', '职'),
    ('費', '费'),
    ('課', '课'),
    ('兩', '两'),
    ('製', '制'),
    ('制', '制'),
    ('續', '续'),
    ('數', '数'),
    ('據', '据'),
    ('錄', '录'),
    ('慧', '慧'),
    ('絡', '络'),
    ('車', '车'),
    ('縣', '县'),
    ('鄉', '乡'),
    ('見', '见'),
    ('時', '时'),
    ('間', '间'),
    ('們', '们'),
    ('來', '来'),
    ('這', '这'),
    ('個', '个'),
    ('為', '为'),
    ('對', '对'),
    ('從', '从'),
    ('將', '将'),
    ('請', '请'),
    ('查', '查'),
    ('收', '收'),
    ('謝', '谢'),
    ('規', '规'),
    ('範', '范'),
    ('畫', '画'),
    ('產', '产'),
    ('發', '发'),
    ('現', '现'),
    ('後', '后'),
    ('裡', '里'),
    ('裏', '里'),
    ('麼', '么'),
    ('嗎', '吗'),
    ('問', '问'),
    ('應', '应'),
    ('該', '该'),
    ('說', '说'),
    ('務', '务'),
    ('輔', '辅'),
    ('導', '导'),
    ('齡', '龄'),
    ('兒', '儿'),
    ('愛', '爱'),
    ('夥', '伙'),
    ('陽', '阳'),
    ('歲', '岁'),
    ('親', '亲'),
    ('護', '护'),
    ('勞', '劳'),
    ('織', '织'),
    ('組', '组'),
    ('術', '术'),
    ('處', '处'),
    ('雙', '双'),
    ('邊', '边'),
    ('華', '华'),
    ('鄰', '邻'),
    ('營', '营'),
    ('優', '优'),
    ('價', '价'),
    ('值', '值'),
    ('極', '极'),
    ('積', '积'),
    ('廳', '厅'),
    ('園', '园'),
    ('莊', '庄'),
    ('蘭', '兰'),
    ('鐘', '钟'),
    ('馬', '马'),
    ('楊', '杨'),
    ('劉', '刘'),
    ('陳', '陈'),
    ('張', '张'),
    ('葉', '叶'),
    ('趙', '赵'),
    ('鄧', '邓'),
    ('黎', '黎'),
    ('賽', '赛'),
    ('獎', '奖'),
    ('評', '评'),
    ('歷', '历'),
    ('執', '执'),
    ('禮', '礼'),
    ('藝', '艺'),
    ('術', '术'),
    ('訊', '讯'),
    ('韓', '韩'),
    ('孫', '孙'),
    ('簽', '签'),
    ('門', '门'),
    ('彙', '汇'),
    ('匯', '汇'),
    ('點', '点'),
    ('閱', '阅'),
    ('閣', '阁'),
    ('舉', '举'),
    ('辦', '办'),
    ('齊', '齐'),
    ('結', '结'),
    ('紀', '纪'),
    ('級', '级'),
    ('營', '营'),
    ('綫', '线'),
    ('轉', '转'),
    ('傳', '传'),
    ('資', '资'),
    ('訊', '讯'),
    ('聽', '听'),
    ('證', '证'),
    ('註', '注'),
    ('冊', '册'),
    ('幫', '帮'),
    ('扶', '扶'),
    ('義', '义'),
    ('醫', '医'),
    ('療', '疗'),
    ('據', '据'),
    ('蓋', '盖'),
    ('檔', '档'),
    ('擬', '拟'),
    ('補', '补'),
];

/// Homophone and look-alike typos of the rare characters in unit names
/// (IME picks the common character): 石竭→石碣, 麻冲→麻涌, 道窖→道滘 …
/// Applied to both names and text, only for unit matching.
const UNIT_TYPOS: &[(char, char)] = &[
    ('竭', '碣'),
    ('揭', '碣'),
    ('僚', '寮'),
    ('辽', '寮'),
    ('窖', '滘'),
    ('教', '滘'),
    ('步', '埗'),
    ('埠', '埗'),
    ('冲', '涌'),
    ('章', '樟'),
    ('夏', '厦'),
    ('历', '沥'),
    ('立', '沥'),
    ('郎', '朗'),
    ('浪', '朗'),
    ('冈', '岗'),
    ('港', '岗'),
    ('菀', '莞'),
    ('领', '岭'),
    ('敦', '墩'),
    ('棠', '堂'),
    ('牌', '排'),
    ('后', '厚'),
    ('风', '凤'),
    ('乔', '桥'),
    ('查', '茶'),
];

/// The tables as maps, built once: every character of every text passes
/// through them, and a linear scan of a few hundred pairs per character was
/// the classifier's largest cost.
static TRAD_MAP: std::sync::LazyLock<std::collections::HashMap<char, char>> =
    std::sync::LazyLock::new(|| TRAD.iter().copied().collect());
static TYPO_MAP: std::sync::LazyLock<std::collections::HashMap<char, char>> =
    std::sync::LazyLock::new(|| UNIT_TYPOS.iter().copied().collect());

fn lookup(table: &std::collections::HashMap<char, char>, c: char) -> char {
    // ASCII never maps: skip the hash for the common case.
    if c.is_ascii() {
        return c;
    }
    table.get(&c).copied().unwrap_or(c)
}

/// Full-width forms to ASCII, traditional to simplified, ASCII lower-case.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    };
    lookup(&TRAD_MAP, c).to_ascii_lowercase()
}

/// Punctuation (ASCII and CJK) other than `+`, which is part of "1+100".
pub fn is_punct(c: char) -> bool {
    (c.is_ascii_punctuation() && c != '+')
        || matches!(c,
            '\u{3001}'..='\u{303F}' | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}'
            | '\u{FE30}'..='\u{FE4F}' | '\u{FF5F}'..='\u{FF65}' | '·' | '●' | '★')
}

/// For keywords and titles: folded, no white space, no punctuation.
pub fn compact(s: &str) -> String {
    s.chars()
        .map(fold_char)
        .filter(|c| !c.is_whitespace() && !is_punct(*c) && !c.is_control())
        .collect()
}

/// For unit names: folded, typo-corrected, punctuation and white space as a
/// single space so that what stands next to a short name stays visible.
pub fn spaced(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars() {
        let c = fold_char(c);
        if c.is_whitespace() || is_punct(c) || c.is_control() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(lookup(&TYPO_MAP, c));
            last_space = false;
        }
    }
    out.trim_end().to_owned()
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Markers that start the quoted original in a reply or forward, as the
/// usual clients write them (Outlook, Foxmail, QQ, 163, Apple Mail, Gmail).
const QUOTE_MARKERS: &[&str] = &[
    "-----原始邮件-----",
    "----- 原始邮件 -----",
    "------------------ 原始邮件 ------------------",
    "-----original message-----",
    "----- original message -----",
    "-----邮件原件-----",
    "________________________________",
    "------------------&nbsp;原始邮件&nbsp;------------------",
    "-------- 转发邮件信息 --------",
    "-------- 原始邮件 --------",
    "---------- forwarded message ---------",
    "begin forwarded message:",
    "以下是引用",
];

/// The body without the quoted original (a reply quoting the notice or the
/// reminder is not evidence). Also drops `>` lines.
pub fn strip_quotes(body: &str) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let t = line.trim();
        let lower = t.to_lowercase();
        if QUOTE_MARKERS.iter().any(|m| lower.starts_with(m)) {
            break;
        }
        // "在 2018年1月22日，xxx 写道：" / "On Mon, … wrote:" / "发件人: …" block
        if (lower.starts_with("在 ") || lower.starts_with("在20") || lower.starts_with("on "))
            && (lower.ends_with("写道：") || lower.ends_with("写道:") || lower.ends_with("wrote:"))
        {
            break;
        }
        if (lower.starts_with("发件人:")
            || lower.starts_with("发件人：")
            || lower.starts_with("from:"))
            && out
                .lines()
                .last()
                .is_some_and(|l| l.trim().is_empty() || l.trim().starts_with('-'))
        {
            break;
        }
        if t.starts_with('>') || t.starts_with('＞') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_ignores_punctuation_and_width() {
        assert_eq!(
            compact("“学习总书记讲话，做合格共青团员”"),
            "学习总书记讲话做合格共青团员"
        );
        assert_eq!(compact("１＋１００ 团干部"), "1+100团干部");
        assert_eq!(compact("I志願服務"), "i志愿服务");
    }

    #[test]
    fn spaced_keeps_separators_and_fixes_typos() {
        assert_eq!(spaced("青年之声、石龍鎮"), "青年之声 石龙镇");
        assert_eq!(spaced("麻冲镇团委"), spaced("麻涌镇团委"));
        assert_eq!(spaced("石竭镇"), spaced("石碣镇"));
    }

    #[test]
    fn quotes_are_cut() {
        let b = "附件是材料\n\n-----原始邮件-----\n发件人: 组织部\n工作开展情况表";
        assert_eq!(strip_quotes(b).trim(), "附件是材料");
        let b = "好的\n在 2018年1月22日，组织部 写道：\n> 通知";
        assert_eq!(strip_quotes(b).trim(), "好的");
    }
}
