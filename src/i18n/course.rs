//! The course's words around the lessons' own text (which is en + zh in the lesson files):
//! the lesson panel, the home screen, and what a knob change did.

/// `(key, English, Chinese)`, sorted by key (byte order).
#[rustfmt::skip]
pub(super) static TEXTS: &[(&str, &str, &str)] = &[
    ("apply.live", "{name} = {value} from {t}", "{t} 起 {name} = {value}"),
    ("apply.producer_restarted", "{name} = {value} at {t}: Kafka reads it only at start-up, so the producer restarts", "{t} 设置 {name} = {value}：Kafka 只在启动时读取它，生产者重启"),
    ("apply.step_restarts", "{name} = {value}: the step restarts with it, so the goals measure it from the start", "{name} = {value}：本步从头重新运行，目标按新设置衡量"),
    ("course.answer_first", "Answer the question first (its number, or r): the world waits before the moment that decides it", "先回答问题（按数字键或 r）：仿真停在决定答案的那一刻之前"),
    ("course.answer_with_number", "answer with its number", "按数字键作答"),
    ("course.goals", "Goals", "目标"),
    ("course.goals_after_answer", "The goals appear once you have answered.", "作答之后才显示目标。"),
    ("course.held", "Held before the moment that decides it: predict, then answer with its number (r reveals)", "停在决定答案的那一刻之前：先预测，再按数字键作答（r 直接揭晓）"),
    ("course.hint", "Hint {n}: ", "提示 {n}："),
    ("course.home_title", "Lessons · ↑/↓ pick · Enter open · Esc close", "课程 · ↑/↓ 选择 · Enter 打开 · Esc 关闭"),
    ("course.keys", "h hint · n/PgDn next · p/PgUp previous · P presenter · L lessons · knobs: {knobs}", "h 提示 · n/PgDn 下一步 · p/PgUp 上一步 · P 演示模式 · L 课程列表 · 可调：{knobs}"),
    ("course.lesson_complete", "Lesson complete.", "本课完成。"),
    ("course.more", "↓ more (↑/↓ scroll)", "↓ 还有（↑/↓ 滚动）"),
    ("course.predict_first", "Predict first", "先预测"),
    ("course.presenter", "presenter", "演示模式"),
    ("course.presenter_keys", "PgDn next · PgUp previous · 1–9 the room's answer · r reveal · P leave", "PgDn 下一步 · PgUp 上一步 · 1–9 全班的答案 · r 揭晓 · P 退出演示"),
    ("course.reveal", "What happened", "揭晓"),
    ("course.reveal_hint", "r: reveal the answer", "r：揭晓答案"),
    ("course.sandbox", "Sandbox: the built-in scenario, every knob", "沙盒：内置场景，所有参数都可调"),
    ("course.scenarios_title", "Scenarios · the notes' demos", "场景 · 笔记里的演示"),
    ("course.simulation_says_so", "✓ the simulation says so", "✓ 仿真结果"),
    ("course.step", "Step {n}/{total}", "第 {n}/{total} 步"),
    ("course.step_done", "Done! n: next step", "完成！按 n 进入下一步"),
    ("course.your_answer", "← your answer", "← 你的答案"),
];
