<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
<context>
    <name>CodenamePage</name>
    <message>
        <source>4. Replies (optional)</source>
        <translation>۴. پاسخ‌ها (اختیاری)</translation>
    </message>
    <message>
        <source>If you want the investigators to be able to answer you or ask a question, make a codename: nine words that only you will know. With it you can read their replies later, from any device. Anyone who has your codename can read the replies too, so keep it as you would keep a key.</source>
        <translation>اگر می‌خواهید پژوهشگران بتوانند به شما پاسخ دهند یا پرسشی بپرسند، یک رمزنام بسازید: نُه واژه که فقط شما می‌دانید. با آن می‌توانید بعداً، از هر دستگاهی، پاسخ‌ها را بخوانید. هر کس رمزنام شما را داشته باشد هم می‌تواند پاسخ‌ها را بخواند؛ پس آن را مثل یک کلید نگه دارید.</translation>
    </message>
    <message>
        <source>Your codename is confirmed. Investigators will be able to reply.</source>
        <translation>رمزنام شما تأیید شد. پژوهشگران می‌توانند پاسخ دهند.</translation>
    </message>
    <message>
        <source>Make a codename in Persian words</source>
        <translation>ساختن رمزنام با واژه‌های فارسی</translation>
    </message>
    <message>
        <source>Make a codename in English words</source>
        <translation>ساختن رمزنام با واژه‌های انگلیسی</translation>
    </message>
    <message>
        <source>Your codename. It is shown only this once: learn it by heart or write it down and hide it well.</source>
        <translation>رمزنام شما. فقط همین یک بار نشان داده می‌شود: آن را از بر کنید یا بنویسید و خوب پنهان کنید.</translation>
    </message>
    <message>
        <source>Your codename: %1</source>
        <translation>رمزنام شما: %1</translation>
    </message>
    <message>
        <source>Now type it again, to be sure it was written down right:</source>
        <translation>اکنون آن را دوباره بنویسید تا مطمئن شوید درست یادداشت شده است:</translation>
    </message>
    <message>
        <source>Type your codename again</source>
        <translation>رمزنام را دوباره بنویسید</translation>
    </message>
    <message>
        <source>That is not the same codename. Check each word and try again.</source>
        <translation>این همان رمزنام نیست. واژه‌ها را یکی‌یکی بررسی کنید و دوباره بنویسید.</translation>
    </message>
    <message>
        <source>Confirm the codename</source>
        <translation>تأیید رمزنام</translation>
    </message>
    <message>
        <source>Send without a codename</source>
        <translation>فرستادن بدون رمزنام</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>بعدی</translation>
    </message>
    <message>
        <source>Continue without replies</source>
        <translation>ادامه بدون پاسخ</translation>
    </message>
    <message>
        <source>Preparing your codename&apos;s key. This takes a moment.</source>
        <translation>کلید رمزنام شما آماده می‌شود. کمی طول می‌کشد.</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <source>5. What you allow</source>
        <translation>۵. چه اجازه‌ای می‌دهید</translation>
    </message>
    <message>
        <source>Your testimony is yours. Say what may be done with it. Only the organisation&apos;s investigators will see your answers, and they go with your testimony wherever it is used.</source>
        <translation>شهادت شما از آنِ شماست. بگویید با آن چه می‌توان کرد. فقط پژوهشگران سازمان پاسخ‌های شما را می‌بینند، و این پاسخ‌ها هر جا که شهادت شما به کار رود همراه آن است.</translation>
    </message>
    <message>
        <source>The organisation&apos;s investigators may read and study it (always, when you send it)</source>
        <translation>پژوهشگران سازمان می‌توانند آن را بخوانند و بررسی کنند (همیشه، وقتی آن را می‌فرستید)</translation>
    </message>
    <message>
        <source>It may be shared with a United Nations commission of inquiry or investigative mechanism</source>
        <translation>می‌توان آن را با کمیسیون تحقیق یا سازوکار تحقیقاتی سازمان ملل متحد در میان گذاشت</translation>
    </message>
    <message>
        <source>It may be given to prosecutors and courts</source>
        <translation>می‌توان آن را به دادستان‌ها و دادگاه‌ها داد</translation>
    </message>
    <message>
        <source>It may be quoted in public reports, without my name</source>
        <translation>می‌توان در گزارش‌های عمومی، بدون نام من، از آن نقل کرد</translation>
    </message>
    <message>
        <source>The organisation may contact me again through replies</source>
        <translation>سازمان می‌تواند از راه پاسخ‌ها دوباره با من تماس بگیرد</translation>
    </message>
    <message>
        <source>Being contacted again needs a codename (step 4).</source>
        <translation>برای تماس دوباره به رمزنام نیاز است (گام ۴).</translation>
    </message>
    <message>
        <source>Anything you do not tick is not allowed. If you are unsure, leave it unticked: the organisation can ask you later if you made a codename.</source>
        <translation>هر چه را علامت نزنید، اجازه داده نشده است. اگر مطمئن نیستید، علامت نزنید: اگر رمزنام ساخته باشید، سازمان می‌تواند بعداً از شما بپرسد.</translation>
    </message>
</context>
<context>
    <name>FilesPage</name>
    <message>
        <source>Where it was made</source>
        <translation>جایی که ساخته شده</translation>
    </message>
    <message>
        <source>The camera or phone</source>
        <translation>دوربین یا تلفن</translation>
    </message>
    <message>
        <source>A name</source>
        <translation>یک نام</translation>
    </message>
    <message>
        <source>When it was made</source>
        <translation>زمانی که ساخته شده</translation>
    </message>
    <message>
        <source>The software used</source>
        <translation>نرم‌افزار به‌کاررفته</translation>
    </message>
    <message>
        <source>Other detail</source>
        <translation>جزئیات دیگر</translation>
    </message>
    <message>
        <source>Add a file</source>
        <translation>افزودن پرونده</translation>
    </message>
    <message>
        <source>3. Files and what they reveal</source>
        <translation>۳. پرونده‌ها و آنچه فاش می‌کنند</translation>
    </message>
    <message>
        <source>Photos, documents, recordings. Files often carry hidden details: where a photo was taken, the phone&apos;s serial number, the author&apos;s name. Gavah shows them here, and you choose for each file.</source>
        <translation>عکس، سند، صدا و فیلم. پرونده‌ها اغلب جزئیات پنهانی دارند: جایی که عکس گرفته شده، شمارهٔ سریال تلفن، نام نویسنده. گواه آن‌ها را اینجا نشان می‌دهد و شما برای هر پرونده انتخاب می‌کنید.</translation>
    </message>
    <message>
        <source>Path of a file to add</source>
        <translation>مسیر پرونده‌ای برای افزودن</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>افزودن</translation>
    </message>
    <message>
        <source>Add this file</source>
        <translation>افزودن این پرونده</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>انتخاب…</translation>
    </message>
    <message>
        <source>Choose a file to add</source>
        <translation>انتخاب پرونده برای افزودن</translation>
    </message>
    <message>
        <source>No files added. Files are optional.</source>
        <translation>پرونده‌ای افزوده نشده است. افزودن پرونده اختیاری است.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>حذف</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>حذف %1</translation>
    </message>
    <message>
        <source>This file is too large to examine here; it would be sent as it is.</source>
        <translation>این پرونده برای بررسی در اینجا بسیار بزرگ است؛ همان‌طور که هست فرستاده می‌شود.</translation>
    </message>
    <message>
        <source>This file cannot be read.</source>
        <translation>این پرونده خوانده نمی‌شود.</translation>
    </message>
    <message>
        <source>%1: no identifying details found.</source>
        <translation>%1: جزئیاتی که شما را بشناساند پیدا نشد.</translation>
    </message>
    <message>
        <source>%1. It says:</source>
        <translation>%1. این‌ها را می‌گوید:</translation>
    </message>
    <message>
        <source>Send a cleaned copy of %1</source>
        <translation>فرستادن نسخهٔ پاک‌شدهٔ %1</translation>
    </message>
    <message>
        <source>Send the original: it keeps the most value as evidence, and these details go with it</source>
        <translation>فرستادن اصل پرونده: بیشترین ارزش را به عنوان مدرک دارد، و این جزئیات هم همراهش می‌رود</translation>
    </message>
    <message>
        <source>Send the original of %1</source>
        <translation>فرستادن اصل %1</translation>
    </message>
    <message>
        <source>This kind of file cannot be cleaned here. Send it only if you accept what it reveals.</source>
        <translation>این نوع پرونده را اینجا نمی‌توان پاک کرد. فقط اگر آنچه فاش می‌کند را می‌پذیرید، آن را بفرستید.</translation>
    </message>
    <message>
        <source>JPEG picture</source>
        <translation>عکس JPEG</translation>
    </message>
    <message>
        <source>PNG picture</source>
        <translation>تصویر PNG</translation>
    </message>
    <message>
        <source>WebP picture</source>
        <translation>تصویر WebP</translation>
    </message>
    <message>
        <source>HEIF picture</source>
        <translation>عکس HEIF</translation>
    </message>
    <message>
        <source>TIFF picture</source>
        <translation>تصویر TIFF</translation>
    </message>
    <message>
        <source>PDF document</source>
        <translation>سند PDF</translation>
    </message>
    <message>
        <source>MP4 video</source>
        <translation>فیلم MP4</translation>
    </message>
    <message>
        <source>A file of a kind Gavah does not know</source>
        <translation>پرونده‌ای از نوعی که گواه نمی‌شناسد</translation>
    </message>
    <message>
        <source>%1: Gavah could not look inside this file, so it cannot say what it reveals about you.</source>
        <translation>%1: گواه نتوانست درون این پرونده را ببیند، پس نمی‌تواند بگوید دربارهٔ شما چه فاش می‌کند.</translation>
    </message>
    <message>
        <source>Send a cleaned copy: these details removed, and the file renamed</source>
        <translation>فرستادن نسخهٔ پاک‌شده: این جزئیات برداشته می‌شوند و نام پرونده هم عوض می‌شود</translation>
    </message>
    <message>
        <source>Looking at what this file reveals…</source>
        <translation>در حال دیدن آنچه این پرونده فاش می‌کند…</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Gavah: give testimony safely</source>
        <translation>گواه: شهادت دادن با امنیت</translation>
    </message>
    <message>
        <source>Gavah</source>
        <translation>گواه</translation>
    </message>
    <message>
        <source>Keeping nothing on this device</source>
        <translation>چیزی روی این دستگاه نمی‌ماند</translation>
    </message>
    <message>
        <source>Leave quickly</source>
        <translation>خروج فوری</translation>
    </message>
    <message>
        <source>Leave quickly: close Gavah at once</source>
        <translation>خروج فوری: بستن فوری گواه</translation>
    </message>
    <message>
        <source>Closes the window at once and forgets the testimony being written</source>
        <translation>پنجره را فوراً می‌بندد و شهادتی را که در حال نوشتن است فراموش می‌کند</translation>
    </message>
</context>
<context>
    <name>NavRow</name>
    <message>
        <source>Back</source>
        <translation>بازگشت</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>بعدی</translation>
    </message>
</context>
<context>
    <name>OrganisationPage</name>
    <message>
        <source>The organisation&apos;s bundle file</source>
        <translation>پروندهٔ بستهٔ سازمان</translation>
    </message>
    <message>
        <source>Gavah bundles (*.bundle *.gvb)</source>
        <translation>بسته‌های گواه (*.bundle *.gvb)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>همهٔ پرونده‌ها (*)</translation>
    </message>
    <message>
        <source>1. The organisation</source>
        <translation>۱. سازمان</translation>
    </message>
    <message>
        <source>Open the bundle file the organisation gave you. It says who may read your testimony and where to send it.</source>
        <translation>پروندهٔ بسته‌ای را که سازمان به شما داده باز کنید. این پرونده می‌گوید چه کسانی می‌توانند شهادت شما را بخوانند و آن را به کجا بفرستید.</translation>
    </message>
    <message>
        <source>Path of the bundle file</source>
        <translation>مسیر پروندهٔ بسته</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>باز کردن</translation>
    </message>
    <message>
        <source>Open the bundle file</source>
        <translation>باز کردن پروندهٔ بسته</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>انتخاب…</translation>
    </message>
    <message>
        <source>Choose the bundle file</source>
        <translation>انتخاب پروندهٔ بسته</translation>
    </message>
    <message>
        <source>Refused: this bundle is not from the organisation you trusted before.</source>
        <translation>پذیرفته نشد: این بسته از سازمانی نیست که پیش‌تر به آن اعتماد کرده بودید.</translation>
    </message>
    <message>
        <source>Refused: this bundle has expired.</source>
        <translation>پذیرفته نشد: اعتبار این بسته تمام شده است.</translation>
    </message>
    <message>
        <source>Refused: this is an older bundle than one this device has already seen.</source>
        <translation>پذیرفته نشد: این بسته از بسته‌ای که این دستگاه پیش‌تر دیده قدیمی‌تر است.</translation>
    </message>
    <message>
        <source>This file cannot be used as a bundle.</source>
        <translation>این پرونده را نمی‌توان به عنوان بسته به کار برد.</translation>
    </message>
    <message>
        <source>It carries the organisation&apos;s name but is signed with a different key. Someone may be pretending to be the organisation to read your testimony. Do not use it: ask the organisation, in person or through a channel you trust, for its real bundle.</source>
        <translation>نام سازمان را دارد، اما با کلید دیگری امضا شده است. ممکن است کسی خود را به جای سازمان جا بزند تا شهادت شما را بخواند. از آن استفاده نکنید: بستهٔ واقعی را حضوری یا از راهی که به آن اعتماد دارید از سازمان بخواهید.</translation>
    </message>
    <message>
        <source>Ask the organisation for its current bundle.</source>
        <translation>بستهٔ کنونی را از سازمان بخواهید.</translation>
    </message>
    <message>
        <source>An old bundle may name people or servers the organisation no longer trusts. Ask the organisation for its current bundle.</source>
        <translation>یک بستهٔ قدیمی ممکن است نام کسان یا سرورهایی را داشته باشد که سازمان دیگر به آن‌ها اعتماد ندارد. بستهٔ کنونی را از سازمان بخواهید.</translation>
    </message>
    <message>
        <source>It may be damaged or not a Gavah bundle at all.</source>
        <translation>ممکن است آسیب دیده باشد یا اصلاً بستهٔ گواه نباشد.</translation>
    </message>
    <message>
        <source>Organisation: %1</source>
        <translation>سازمان: %1</translation>
    </message>
    <message>
        <source>This bundle gives no organisation name.</source>
        <translation>این بسته نام سازمانی ندارد.</translation>
    </message>
    <message>
        <source>Its key&apos;s fingerprint:</source>
        <translation>اثر انگشت کلید آن:</translation>
    </message>
    <message>
        <source>Fingerprint %1</source>
        <translation>اثر انگشت %1</translation>
    </message>
    <message>
        <source>This device has sent testimony to this organisation before, and this is the same key.</source>
        <translation>این دستگاه پیش‌تر برای این سازمان شهادت فرستاده است، و این همان کلید است.</translation>
    </message>
    <message>
        <source>Compare it, group by group, with the fingerprint the organisation published (on its website, in print, or in person). If even one character differs, someone else made this bundle and could read your testimony: stop here.</source>
        <translation>آن را، دسته به دسته، با اثر انگشتی که سازمان منتشر کرده (در وبگاهش، روی کاغذ یا حضوری) مقایسه کنید. اگر حتی یک نویسه فرق دارد، کس دیگری این بسته را ساخته و می‌تواند شهادت شما را بخواند: همین‌جا دست نگه دارید.</translation>
    </message>
    <message>
        <source>It differs</source>
        <translation>فرق دارد</translation>
    </message>
    <message>
        <source>The fingerprint differs: stop</source>
        <translation>اثر انگشت فرق دارد: توقف</translation>
    </message>
    <message>
        <source>It matches</source>
        <translation>یکی است</translation>
    </message>
    <message>
        <source>The fingerprint matches</source>
        <translation>اثر انگشت یکی است</translation>
    </message>
    <message>
        <source>This device now remembers the key: a bundle in this organisation&apos;s name signed by another key will be refused.</source>
        <translation>این دستگاه اکنون این کلید را به یاد دارد: بسته‌ای به نام این سازمان که با کلید دیگری امضا شده باشد پذیرفته نمی‌شود.</translation>
    </message>
</context>
<context>
    <name>OutboxPage</name>
    <message>
        <source>Outbox</source>
        <translation>صندوق ارسال</translation>
    </message>
    <message>
        <source>Nothing is waiting to be sent.</source>
        <translation>چیزی در انتظار فرستادن نیست.</translation>
    </message>
    <message>
        <source>Sealed and waiting to be sent (nobody can read them here):</source>
        <translation>مهروموم‌شده و در انتظار فرستادن (هیچ‌کس اینجا نمی‌تواند آن‌ها را بخواند):</translation>
    </message>
    <message>
        <source>Delivered.</source>
        <translation>رسید.</translation>
    </message>
    <message>
        <source>Handed to a relay; the receipt is not back yet.</source>
        <translation>به یک رله سپرده شد؛ رسید هنوز برنگشته است.</translation>
    </message>
    <message>
        <source>Still not delivered: %1</source>
        <translation>هنوز نرسیده است: %1</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>تلاش دوباره</translation>
    </message>
    <message>
        <source>Try sending the outbox again</source>
        <translation>تلاش دوباره برای فرستادن صندوق ارسال</translation>
    </message>
    <message>
        <source>Through Tor</source>
        <translation>از راه تور</translation>
    </message>
    <message>
        <source>Try again through Tor</source>
        <translation>تلاش دوباره از راه تور</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>رسیدها</translation>
    </message>
    <message>
        <source>No receipts on this device.</source>
        <translation>رسیدی روی این دستگاه نیست.</translation>
    </message>
    <message>
        <source>Promised to be in the server&apos;s public log by %1; received in the hour from %2</source>
        <translation>قول ثبت در دفتر عمومی سرور تا %1؛ دریافت‌شده در ساعتی که از %2 آغاز شد</translation>
    </message>
</context>
<context>
    <name>OutcomePage</name>
    <message>
        <source>Delivered</source>
        <translation>رسید</translation>
    </message>
    <message>
        <source>Handed to a relay</source>
        <translation>به یک رله سپرده شد</translation>
    </message>
    <message>
        <source>Not sent yet: waiting in the outbox</source>
        <translation>هنوز فرستاده نشده: در صندوق ارسال منتظر است</translation>
    </message>
    <message>
        <source>Not sent, and nothing was kept</source>
        <translation>فرستاده نشد و چیزی نگه داشته نشد</translation>
    </message>
    <message>
        <source>Sealed and saved</source>
        <translation>مهروموم و ذخیره شد</translation>
    </message>
    <message>
        <source>Not sealed</source>
        <translation>مهروموم نشد</translation>
    </message>
    <message>
        <source>A relay (%1) holds your sealed testimony and will pass it to the organisation&apos;s server. It waits in the outbox until the server&apos;s receipt comes back; open the outbox later and press &quot;Try again&quot;.</source>
        <translation>یک رله (%1) شهادت مهروموم‌شدهٔ شما را نگه داشته و آن را به سرور سازمان می‌رساند. تا رسید سرور برنگردد در صندوق ارسال می‌ماند؛ بعداً صندوق ارسال را باز کنید و «تلاش دوباره» را بزنید.</translation>
    </message>
    <message>
        <source>The sealed testimony is in %1. Whoever carries it cannot read it.</source>
        <translation>شهادت مهروموم‌شده در %1 است. هر کس آن را ببرد نمی‌تواند آن را بخواند.</translation>
    </message>
    <message>
        <source>Nothing was sent. What went wrong:</source>
        <translation>چیزی فرستاده نشد. آنچه نادرست پیش رفت:</translation>
    </message>
    <message>
        <source>Open the outbox</source>
        <translation>باز کردن صندوق ارسال</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>بازگشت</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>پایان</translation>
    </message>
    <message>
        <source>A relay (%1) holds your sealed testimony and will pass it to the organisation&apos;s server. As you asked, nothing is kept on this device, so no receipt will come back here.</source>
        <translation>یک رله (%1) شهادت مهروموم‌شدهٔ شما را نگه داشته و آن را به سرور سازمان می‌رساند. همان‌طور که خواسته بودید، چیزی روی این دستگاه نگه داشته نمی‌شود، پس رسیدی به اینجا برنمی‌گردد.</translation>
    </message>
    <message>
        <source>It was not delivered (the reason is below). Your testimony is sealed and waits in the outbox on this device; nobody can read it there. Try again later, or through Tor.</source>
        <translation>نرسید (دلیلش در پایین آمده است). شهادت شما مهروموم شده و در صندوق ارسال این دستگاه منتظر است؛ هیچ‌کس آنجا نمی‌تواند آن را بخواند. بعداً یا از راه تور دوباره تلاش کنید.</translation>
    </message>
    <message>
        <source>It was not delivered (the reason is below), and as you asked, nothing was kept on this device. You can write it again when you are able to connect.</source>
        <translation>نرسید (دلیلش در پایین آمده است) و، همان‌طور که خواسته بودید، چیزی روی این دستگاه نگه داشته نشد. هر وقت توانستید وصل شوید، می‌توانید دوباره آن را بنویسید.</translation>
    </message>
    <message>
        <source>The organisation&apos;s server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. As you asked, the receipt is not kept on this device.</source>
        <translation>سرور سازمان شهادت شما را دارد و رسیدی امضا کرده است: قول می‌دهد تا %1 آن را در دفتر عمومی‌اش ثبت کند، و آن را در ساعتی که از %2 آغاز شد دریافت کرد. همان‌طور که خواسته بودید، رسید روی این دستگاه نگه داشته نمی‌شود.</translation>
    </message>
    <message>
        <source>The organisation&apos;s server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. The receipt is kept on this device.</source>
        <translation>سرور سازمان شهادت شما را دارد و رسیدی امضا کرده است: قول می‌دهد تا %1 آن را در دفتر عمومی‌اش ثبت کند، و آن را در ساعتی که از %2 آغاز شد دریافت کرد. رسید روی این دستگاه نگه داشته می‌شود.</translation>
    </message>
</context>
<context>
    <name>RepliesPage</name>
    <message>
        <source>Replies</source>
        <translation>پاسخ‌ها</translation>
    </message>
    <message>
        <source>Type the codename you made when you gave your testimony.</source>
        <translation>رمزنامی را که هنگام شهادت دادن ساختید بنویسید.</translation>
    </message>
    <message>
        <source>Your codename</source>
        <translation>رمزنام شما</translation>
    </message>
    <message>
        <source>Through Tor</source>
        <translation>از راه تور</translation>
    </message>
    <message>
        <source>Read the replies through Tor</source>
        <translation>خواندن پاسخ‌ها از راه تور</translation>
    </message>
    <message>
        <source>Read replies</source>
        <translation>خواندن پاسخ‌ها</translation>
    </message>
    <message>
        <source>That codename is not right: a word is missing or mistyped.</source>
        <translation>این رمزنام درست نیست: واژه‌ای جا افتاده یا نادرست نوشته شده است.</translation>
    </message>
    <message>
        <source>A relay is fetching your replies; ask again in a few minutes.</source>
        <translation>یک رله در حال گرفتن پاسخ‌های شماست؛ چند دقیقهٔ دیگر دوباره بپرسید.</translation>
    </message>
    <message>
        <source>The organisation could not be reached.</source>
        <translation>دسترسی به سازمان ممکن نشد.</translation>
    </message>
    <message>
        <source>No replies yet.</source>
        <translation>هنوز پاسخی نیامده است.</translation>
    </message>
    <message>
        <source>%1 replies:</source>
        <translation>%1 پاسخ:</translation>
    </message>
    <message>
        <source>One reply:</source>
        <translation>یک پاسخ:</translation>
    </message>
</context>
<context>
    <name>SendPage</name>
    <message>
        <source>Save the sealed testimony</source>
        <translation>ذخیرهٔ شهادت مهروموم‌شده</translation>
    </message>
    <message>
        <source>6. Send</source>
        <translation>۶. فرستادن</translation>
    </message>
    <message>
        <source>Your testimony is sealed on this device first; only then does anything leave it.</source>
        <translation>شهادت شما نخست روی همین دستگاه مهروموم می‌شود؛ فقط پس از آن چیزی از دستگاه بیرون می‌رود.</translation>
    </message>
    <message>
        <source>Send directly</source>
        <translation>فرستادن مستقیم</translation>
    </message>
    <message>
        <source>The connection is encrypted, but someone watching your network can see that you connected to the organisation&apos;s server.</source>
        <translation>ارتباط رمزگذاری شده است، اما کسی که شبکهٔ شما را زیر نظر دارد می‌تواند ببیند که به سرور سازمان وصل شده‌اید.</translation>
    </message>
    <message>
        <source>Send through Tor</source>
        <translation>فرستادن از راه تور</translation>
    </message>
    <message>
        <source>Tor hides where you are and that you contacted the organisation. Gavah needs Tor&apos;s HTTP tunnel port: add the line &quot;HTTPTunnelPort 9080&quot; to Tor&apos;s settings (torrc) and keep Tor running. Tor Browser&apos;s own port 9150 and Tor&apos;s port 9050 speak SOCKS, which Gavah cannot use.</source>
        <translation>تور پنهان می‌کند که کجا هستید و اینکه با سازمان تماس گرفته‌اید. گواه به درگاه تونل HTTP تور نیاز دارد: خط «HTTPTunnelPort 9080» را به تنظیمات تور (torrc) بیفزایید و تور را روشن نگه دارید. درگاه ۹۱۵۰ مرورگر تور و درگاه ۹۰۵۰ تور با SOCKS کار می‌کنند که گواه نمی‌تواند از آن استفاده کند.</translation>
    </message>
    <message>
        <source>Tor&apos;s HTTP tunnel address</source>
        <translation>نشانی تونل HTTP تور</translation>
    </message>
    <message>
        <source>Save to a file for someone to carry</source>
        <translation>ذخیره در پرونده تا کسی آن را ببرد</translation>
    </message>
    <message>
        <source>The file is sealed: whoever carries it cannot read it. They send it with Gavah from a safer place.</source>
        <translation>پرونده مهروموم شده است: هر کس آن را ببرد نمی‌تواند آن را بخواند. او آن را از جای امن‌تری با گواه می‌فرستد.</translation>
    </message>
    <message>
        <source>Nothing will be kept on this device: if sending fails, you will have to start again.</source>
        <translation>چیزی روی این دستگاه نگه داشته نمی‌شود: اگر فرستادن ناموفق باشد، باید از نو شروع کنید.</translation>
    </message>
    <message>
        <source>Seal and save</source>
        <translation>مهروموم و ذخیره</translation>
    </message>
    <message>
        <source>Seal and send</source>
        <translation>مهروموم و فرستادن</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>در حال فرستادن</translation>
    </message>
    <message>
        <source>The server is busy and asks this device to solve a puzzle first; this can take a few minutes.</source>
        <translation>سرور شلوغ است و از این دستگاه می‌خواهد نخست معمایی را حل کند؛ این کار ممکن است چند دقیقه طول بکشد.</translation>
    </message>
    <message>
        <source>Not reachable yet; trying again in %1 seconds.</source>
        <translation>هنوز دسترسی نیست؛ %1 ثانیهٔ دیگر دوباره تلاش می‌شود.</translation>
    </message>
    <message>
        <source>Sealing and connecting…</source>
        <translation>در حال مهروموم و اتصال…</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 از %2 فرستاده شد</translation>
    </message>
    <message>
        <source>, about %1 seconds left</source>
        <translation>، حدود %1 ثانیه مانده</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>توقف</translation>
    </message>
    <message>
        <source>Stop sending</source>
        <translation>توقف فرستادن</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>Your testimony, sealed on this device</source>
        <translation>شهادت شما، مهروموم‌شده روی همین دستگاه</translation>
    </message>
    <message>
        <source>What you write and the files you add are locked here, on your own device, so that only the organisation&apos;s investigators can open them. The server that receives them cannot read them, and neither can anyone watching the network.</source>
        <translation>آنچه می‌نویسید و پرونده‌هایی که می‌افزایید همین‌جا، روی دستگاه خودتان، قفل می‌شوند تا فقط پژوهشگران سازمان بتوانند آن‌ها را باز کنند. سروری که آن‌ها را دریافت می‌کند نمی‌تواند آن‌ها را بخواند، و کسی هم که شبکه را زیر نظر دارد نمی‌تواند.</translation>
    </message>
    <message>
        <source>Give testimony</source>
        <translation>شهادت دادن</translation>
    </message>
    <message>
        <source>Outbox and receipts</source>
        <translation>صندوق ارسال و رسیدها</translation>
    </message>
    <message>
        <source>Read replies</source>
        <translation>خواندن پاسخ‌ها</translation>
    </message>
    <message>
        <source>Keep nothing on this device</source>
        <translation>چیزی روی این دستگاه نماند</translation>
    </message>
    <message>
        <source>If someone comes, press &quot;Leave quickly&quot; (or Escape twice): the window closes at once and what you were writing is gone.</source>
        <translation>اگر کسی آمد، «خروج فوری» را بزنید (یا دو بار Escape): پنجره فوراً بسته می‌شود و آنچه می‌نوشتید از میان می‌رود.</translation>
    </message>
    <message>
        <source>With this chosen, Gavah keeps no copy of what you send, no receipt, and does not remember the organisation (one remembered before is kept). If sending fails, nothing is kept and you will have to start again.</source>
        <translation>با انتخاب این گزینه، گواه نه نسخه‌ای از آنچه می‌فرستید نگه می‌دارد، نه رسیدی، و سازمان را هم به خاطر نمی‌سپارد (سازمانی که پیش‌تر به خاطر سپرده شده می‌ماند). اگر فرستادن ناموفق باشد، چیزی نمی‌ماند و باید از نو شروع کنید.</translation>
    </message>
</context>
<context>
    <name>TestimonyPage</name>
    <message>
        <source>2. Your testimony</source>
        <translation>۲. شهادت شما</translation>
    </message>
    <message>
        <source>Write what you saw, heard or know, in your own words and in any language. Take your time; nothing leaves this device until you choose to send it.</source>
        <translation>آنچه دیدید، شنیدید یا می‌دانید را با زبان خودتان و به هر زبانی بنویسید. وقت بگذارید؛ تا خودتان نخواهید بفرستید، چیزی از این دستگاه بیرون نمی‌رود.</translation>
    </message>
    <message>
        <source>Your testimony…</source>
        <translation>شهادت شما…</translation>
    </message>
    <message>
        <source>Your testimony</source>
        <translation>شهادت شما</translation>
    </message>
    <message>
        <source>Language of the text</source>
        <translation>زبان متن</translation>
    </message>
    <message>
        <source>Persian</source>
        <translation>فارسی</translation>
    </message>
    <message>
        <source>English</source>
        <translation>انگلیسی</translation>
    </message>
    <message>
        <source>Azerbaijani</source>
        <translation>ترکی آذربایجانی</translation>
    </message>
    <message>
        <source>Kurdish</source>
        <translation>کردی</translation>
    </message>
    <message>
        <source>Arabic</source>
        <translation>عربی</translation>
    </message>
    <message>
        <source>Other or mixed</source>
        <translation>دیگر یا آمیخته</translation>
    </message>
    <message>
        <source>When did it happen? (as you would say it)</source>
        <translation>کی رخ داد؟ (همان‌طور که خودتان می‌گویید)</translation>
    </message>
    <message>
        <source>When it happened</source>
        <translation>زمان رخداد</translation>
    </message>
    <message>
        <source>Where did it happen?</source>
        <translation>کجا رخ داد؟</translation>
    </message>
    <message>
        <source>e.g. Evin prison, Tehran</source>
        <translation>مثلاً زندان اوین، تهران</translation>
    </message>
    <message>
        <source>Where it happened</source>
        <translation>مکان رخداد</translation>
    </message>
    <message>
        <source>e.g. summer 1988, late July</source>
        <translation>مثلاً تابستان ۱۳۶۷، اواخر مرداد</translation>
    </message>
</context>
<context>
    <name>gavah::app::Session</name>
    <message>
        <source>This kind of file is not recognised, so its hidden details cannot be checked.</source>
        <translation>این نوع پرونده شناخته نیست، پس جزئیات پنهان آن را نمی‌توان بررسی کرد.</translation>
    </message>
    <message>
        <source>The file is larger than 512 MiB, the most that can be cleaned.</source>
        <translation>این پرونده از ۵۱۲ مگابایت، بیشترین اندازه‌ای که می‌توان پاک کرد، بزرگ‌تر است.</translation>
    </message>
    <message>
        <source>The recording is damaged and cannot be read.</source>
        <translation>این ضبط آسیب دیده است و خوانده نمی‌شود.</translation>
    </message>
    <message>
        <source>Hidden details cannot be removed from this kind of recording; an MP4 copy of it can be cleaned.</source>
        <translation>از این نوع ضبط نمی‌توان جزئیات پنهان را پاک کرد؛ نسخهٔ MP4 آن را می‌توان پاک کرد.</translation>
    </message>
    <message>
        <source>Hidden details cannot be removed from this kind of picture; a JPEG or PNG copy of it can be cleaned.</source>
        <translation>از این نوع تصویر نمی‌توان جزئیات پنهان را پاک کرد؛ نسخهٔ JPEG یا PNG آن را می‌توان پاک کرد.</translation>
    </message>
    <message>
        <source>The picture uses a structure that cannot be cleaned safely.</source>
        <translation>ساختار این تصویر را نمی‌توان با اطمینان پاک کرد.</translation>
    </message>
    <message>
        <source>The picture is damaged or cut short, so it cannot be cleaned.</source>
        <translation>این تصویر آسیب دیده یا ناقص است، پس نمی‌توان آن را پاک کرد.</translation>
    </message>
    <message>
        <source>Some hidden details could not be read because the picture is damaged.</source>
        <translation>برخی جزئیات پنهان خوانده نشد، چون تصویر آسیب دیده است.</translation>
    </message>
    <message>
        <source>The PDF is protected by a password, so it cannot be checked or cleaned.</source>
        <translation>این PDF گذرواژه دارد، پس نمی‌توان آن را بررسی یا پاک کرد.</translation>
    </message>
    <message>
        <source>The PDF is damaged and cannot be read.</source>
        <translation>این PDF آسیب دیده است و خوانده نمی‌شود.</translation>
    </message>
    <message>
        <source>Some hidden details could not be read because the PDF is damaged.</source>
        <translation>برخی جزئیات پنهان خوانده نشد، چون PDF آسیب دیده است.</translation>
    </message>
    <message>
        <source>The PDF is digitally signed: the signature names its signer and cannot be removed without breaking the document.</source>
        <translation>این PDF امضای دیجیتال دارد: امضا نام امضاکننده را در خود دارد و بی‌آنکه سند خراب شود برداشته نمی‌شود.</translation>
    </message>
    <message>
        <source>The PDF has files attached inside it, whose own hidden details cannot be removed.</source>
        <translation>درون این PDF پرونده‌هایی پیوست شده که جزئیات پنهان خودشان را نمی‌توان پاک کرد.</translation>
    </message>
    <message>
        <source>A picture inside the PDF is damaged, so its hidden details cannot be removed.</source>
        <translation>تصویری درون این PDF آسیب دیده است، پس جزئیات پنهان آن را نمی‌توان پاک کرد.</translation>
    </message>
    <message>
        <source>The file holds %1 more hidden details than can be listed here.</source>
        <translation>این پرونده %1 جزئیات پنهان دیگر دارد که اینجا نمی‌گنجد.</translation>
    </message>
</context>
</TS>
