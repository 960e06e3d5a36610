<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CodenamePage</name>
    <message>
        <source>4. Replies (optional)</source>
        <translation>4. Replies (optional)</translation>
    </message>
    <message>
        <source>If you want the investigators to be able to answer you or ask a question, make a codename: nine words that only you will know. With it you can read their replies later, from any device. Anyone who has your codename can read the replies too, so keep it as you would keep a key.</source>
        <translation>If you want the investigators to be able to answer you or ask a question, make a codename: nine words that only you will know. With it you can read their replies later, from any device. Anyone who has your codename can read the replies too, so keep it as you would keep a key.</translation>
    </message>
    <message>
        <source>Your codename is confirmed. Investigators will be able to reply.</source>
        <translation>Your codename is confirmed. Investigators will be able to reply.</translation>
    </message>
    <message>
        <source>Make a codename in Persian words</source>
        <translation>Make a codename in Persian words</translation>
    </message>
    <message>
        <source>Make a codename in English words</source>
        <translation>Make a codename in English words</translation>
    </message>
    <message>
        <source>Your codename. It is shown only this once: learn it by heart or write it down and hide it well.</source>
        <translation>Your codename. It is shown only this once: learn it by heart or write it down and hide it well.</translation>
    </message>
    <message>
        <source>Your codename: %1</source>
        <translation>Your codename: %1</translation>
    </message>
    <message>
        <source>Now type it again, to be sure it was written down right:</source>
        <translation>Now type it again, to be sure it was written down right:</translation>
    </message>
    <message>
        <source>Type your codename again</source>
        <translation>Type your codename again</translation>
    </message>
    <message>
        <source>That is not the same codename. Check each word and try again.</source>
        <translation>That is not the same codename. Check each word and try again.</translation>
    </message>
    <message>
        <source>Confirm the codename</source>
        <translation>Confirm the codename</translation>
    </message>
    <message>
        <source>Send without a codename</source>
        <translation>Send without a codename</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>Continue without replies</source>
        <translation>Continue without replies</translation>
    </message>
    <message>
        <source>Preparing your codename&apos;s key. This takes a moment.</source>
        <translation>Preparing your codename&apos;s key. This takes a moment.</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <source>5. What you allow</source>
        <translation>5. What you allow</translation>
    </message>
    <message>
        <source>Your testimony is yours. Say what may be done with it. Only the organisation&apos;s investigators will see your answers, and they go with your testimony wherever it is used.</source>
        <translation>Your testimony is yours. Say what may be done with it. Only the organisation&apos;s investigators will see your answers, and they go with your testimony wherever it is used.</translation>
    </message>
    <message>
        <source>The organisation&apos;s investigators may read and study it (always, when you send it)</source>
        <translation>The organisation&apos;s investigators may read and study it (always, when you send it)</translation>
    </message>
    <message>
        <source>It may be shared with a United Nations commission of inquiry or investigative mechanism</source>
        <translation>It may be shared with a United Nations commission of inquiry or investigative mechanism</translation>
    </message>
    <message>
        <source>It may be given to prosecutors and courts</source>
        <translation>It may be given to prosecutors and courts</translation>
    </message>
    <message>
        <source>It may be quoted in public reports, without my name</source>
        <translation>It may be quoted in public reports, without my name</translation>
    </message>
    <message>
        <source>The organisation may contact me again through replies</source>
        <translation>The organisation may contact me again through replies</translation>
    </message>
    <message>
        <source>Being contacted again needs a codename (step 4).</source>
        <translation>Being contacted again needs a codename (step 4).</translation>
    </message>
    <message>
        <source>Anything you do not tick is not allowed. If you are unsure, leave it unticked: the organisation can ask you later if you made a codename.</source>
        <translation>Anything you do not tick is not allowed. If you are unsure, leave it unticked: the organisation can ask you later if you made a codename.</translation>
    </message>
</context>
<context>
    <name>FilesPage</name>
    <message>
        <source>Where it was made</source>
        <translation>Where it was made</translation>
    </message>
    <message>
        <source>The camera or phone</source>
        <translation>The camera or phone</translation>
    </message>
    <message>
        <source>A name</source>
        <translation>A name</translation>
    </message>
    <message>
        <source>When it was made</source>
        <translation>When it was made</translation>
    </message>
    <message>
        <source>The software used</source>
        <translation>The software used</translation>
    </message>
    <message>
        <source>Other detail</source>
        <translation>Other detail</translation>
    </message>
    <message>
        <source>Add a file</source>
        <translation>Add a file</translation>
    </message>
    <message>
        <source>3. Files and what they reveal</source>
        <translation>3. Files and what they reveal</translation>
    </message>
    <message>
        <source>Photos, documents, recordings. Files often carry hidden details: where a photo was taken, the phone&apos;s serial number, the author&apos;s name. Gavah shows them here, and you choose for each file.</source>
        <translation>Photos, documents, recordings. Files often carry hidden details: where a photo was taken, the phone&apos;s serial number, the author&apos;s name. Gavah shows them here, and you choose for each file.</translation>
    </message>
    <message>
        <source>Path of a file to add</source>
        <translation>Path of a file to add</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>Add this file</source>
        <translation>Add this file</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Choose a file to add</source>
        <translation>Choose a file to add</translation>
    </message>
    <message>
        <source>No files added. Files are optional.</source>
        <translation>No files added. Files are optional.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Remove %1</translation>
    </message>
    <message>
        <source>This file is too large to examine here; it would be sent as it is.</source>
        <translation>This file is too large to examine here; it would be sent as it is.</translation>
    </message>
    <message>
        <source>This file cannot be read.</source>
        <translation>This file cannot be read.</translation>
    </message>
    <message>
        <source>%1: no identifying details found.</source>
        <translation>%1: no identifying details found.</translation>
    </message>
    <message>
        <source>%1. It says:</source>
        <translation>%1. It says:</translation>
    </message>
    <message>
        <source>Send a cleaned copy of %1</source>
        <translation>Send a cleaned copy of %1</translation>
    </message>
    <message>
        <source>Send the original: it keeps the most value as evidence, and these details go with it</source>
        <translation>Send the original: it keeps the most value as evidence, and these details go with it</translation>
    </message>
    <message>
        <source>Send the original of %1</source>
        <translation>Send the original of %1</translation>
    </message>
    <message>
        <source>This kind of file cannot be cleaned here. Send it only if you accept what it reveals.</source>
        <translation>This kind of file cannot be cleaned here. Send it only if you accept what it reveals.</translation>
    </message>
    <message>
        <source>JPEG picture</source>
        <translation>JPEG picture</translation>
    </message>
    <message>
        <source>PNG picture</source>
        <translation>PNG picture</translation>
    </message>
    <message>
        <source>WebP picture</source>
        <translation>WebP picture</translation>
    </message>
    <message>
        <source>HEIF picture</source>
        <translation>HEIF picture</translation>
    </message>
    <message>
        <source>TIFF picture</source>
        <translation>TIFF picture</translation>
    </message>
    <message>
        <source>PDF document</source>
        <translation>PDF document</translation>
    </message>
    <message>
        <source>MP4 video</source>
        <translation>MP4 video</translation>
    </message>
    <message>
        <source>A file of a kind Gavah does not know</source>
        <translation>A file of a kind Gavah does not know</translation>
    </message>
    <message>
        <source>%1: Gavah could not look inside this file, so it cannot say what it reveals about you.</source>
        <translation>%1: Gavah could not look inside this file, so it cannot say what it reveals about you.</translation>
    </message>
    <message>
        <source>Send a cleaned copy: these details removed, and the file renamed</source>
        <translation>Send a cleaned copy: these details removed, and the file renamed</translation>
    </message>
    <message>
        <source>Looking at what this file reveals…</source>
        <translation>Looking at what this file reveals…</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Gavah: give testimony safely</source>
        <translation>Gavah: give testimony safely</translation>
    </message>
    <message>
        <source>Gavah</source>
        <translation>Gavah</translation>
    </message>
    <message>
        <source>Keeping nothing on this device</source>
        <translation>Keeping nothing on this device</translation>
    </message>
    <message>
        <source>Leave quickly</source>
        <translation>Leave quickly</translation>
    </message>
    <message>
        <source>Leave quickly: close Gavah at once</source>
        <translation>Leave quickly: close Gavah at once</translation>
    </message>
    <message>
        <source>Closes the window at once and forgets the testimony being written</source>
        <translation>Closes the window at once and forgets the testimony being written</translation>
    </message>
</context>
<context>
    <name>NavRow</name>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Next</translation>
    </message>
</context>
<context>
    <name>OrganisationPage</name>
    <message>
        <source>The organisation&apos;s bundle file</source>
        <translation>The organisation&apos;s bundle file</translation>
    </message>
    <message>
        <source>Gavah bundles (*.bundle *.gvb)</source>
        <translation>Gavah bundles (*.bundle *.gvb)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>All files (*)</translation>
    </message>
    <message>
        <source>1. The organisation</source>
        <translation>1. The organisation</translation>
    </message>
    <message>
        <source>Open the bundle file the organisation gave you. It says who may read your testimony and where to send it.</source>
        <translation>Open the bundle file the organisation gave you. It says who may read your testimony and where to send it.</translation>
    </message>
    <message>
        <source>Path of the bundle file</source>
        <translation>Path of the bundle file</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Open the bundle file</source>
        <translation>Open the bundle file</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>Choose the bundle file</source>
        <translation>Choose the bundle file</translation>
    </message>
    <message>
        <source>Refused: this bundle is not from the organisation you trusted before.</source>
        <translation>Refused: this bundle is not from the organisation you trusted before.</translation>
    </message>
    <message>
        <source>Refused: this bundle has expired.</source>
        <translation>Refused: this bundle has expired.</translation>
    </message>
    <message>
        <source>Refused: this is an older bundle than one this device has already seen.</source>
        <translation>Refused: this is an older bundle than one this device has already seen.</translation>
    </message>
    <message>
        <source>This file cannot be used as a bundle.</source>
        <translation>This file cannot be used as a bundle.</translation>
    </message>
    <message>
        <source>It carries the organisation&apos;s name but is signed with a different key. Someone may be pretending to be the organisation to read your testimony. Do not use it: ask the organisation, in person or through a channel you trust, for its real bundle.</source>
        <translation>It carries the organisation&apos;s name but is signed with a different key. Someone may be pretending to be the organisation to read your testimony. Do not use it: ask the organisation, in person or through a channel you trust, for its real bundle.</translation>
    </message>
    <message>
        <source>Ask the organisation for its current bundle.</source>
        <translation>Ask the organisation for its current bundle.</translation>
    </message>
    <message>
        <source>An old bundle may name people or servers the organisation no longer trusts. Ask the organisation for its current bundle.</source>
        <translation>An old bundle may name people or servers the organisation no longer trusts. Ask the organisation for its current bundle.</translation>
    </message>
    <message>
        <source>It may be damaged or not a Gavah bundle at all.</source>
        <translation>It may be damaged or not a Gavah bundle at all.</translation>
    </message>
    <message>
        <source>Organisation: %1</source>
        <translation>Organisation: %1</translation>
    </message>
    <message>
        <source>This bundle gives no organisation name.</source>
        <translation>This bundle gives no organisation name.</translation>
    </message>
    <message>
        <source>Its key&apos;s fingerprint:</source>
        <translation>Its key&apos;s fingerprint:</translation>
    </message>
    <message>
        <source>Fingerprint %1</source>
        <translation>Fingerprint %1</translation>
    </message>
    <message>
        <source>This device has sent testimony to this organisation before, and this is the same key.</source>
        <translation>This device has sent testimony to this organisation before, and this is the same key.</translation>
    </message>
    <message>
        <source>Compare it, group by group, with the fingerprint the organisation published (on its website, in print, or in person). If even one character differs, someone else made this bundle and could read your testimony: stop here.</source>
        <translation>Compare it, group by group, with the fingerprint the organisation published (on its website, in print, or in person). If even one character differs, someone else made this bundle and could read your testimony: stop here.</translation>
    </message>
    <message>
        <source>It differs</source>
        <translation>It differs</translation>
    </message>
    <message>
        <source>The fingerprint differs: stop</source>
        <translation>The fingerprint differs: stop</translation>
    </message>
    <message>
        <source>It matches</source>
        <translation>It matches</translation>
    </message>
    <message>
        <source>The fingerprint matches</source>
        <translation>The fingerprint matches</translation>
    </message>
    <message>
        <source>This device now remembers the key: a bundle in this organisation&apos;s name signed by another key will be refused.</source>
        <translation>This device now remembers the key: a bundle in this organisation&apos;s name signed by another key will be refused.</translation>
    </message>
</context>
<context>
    <name>OutboxPage</name>
    <message>
        <source>Outbox</source>
        <translation>Outbox</translation>
    </message>
    <message>
        <source>Nothing is waiting to be sent.</source>
        <translation>Nothing is waiting to be sent.</translation>
    </message>
    <message>
        <source>Sealed and waiting to be sent (nobody can read them here):</source>
        <translation>Sealed and waiting to be sent (nobody can read them here):</translation>
    </message>
    <message>
        <source>Delivered.</source>
        <translation>Delivered.</translation>
    </message>
    <message>
        <source>Handed to a relay; the receipt is not back yet.</source>
        <translation>Handed to a relay; the receipt is not back yet.</translation>
    </message>
    <message>
        <source>Still not delivered: %1</source>
        <translation>Still not delivered: %1</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Try again</translation>
    </message>
    <message>
        <source>Try sending the outbox again</source>
        <translation>Try sending the outbox again</translation>
    </message>
    <message>
        <source>Through Tor</source>
        <translation>Through Tor</translation>
    </message>
    <message>
        <source>Try again through Tor</source>
        <translation>Try again through Tor</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>Receipts</translation>
    </message>
    <message>
        <source>No receipts on this device.</source>
        <translation>No receipts on this device.</translation>
    </message>
    <message>
        <source>Promised to be in the server&apos;s public log by %1; received in the hour from %2</source>
        <translation>Promised to be in the server&apos;s public log by %1; received in the hour from %2</translation>
    </message>
</context>
<context>
    <name>OutcomePage</name>
    <message>
        <source>Delivered</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>Handed to a relay</source>
        <translation>Handed to a relay</translation>
    </message>
    <message>
        <source>Not sent yet: waiting in the outbox</source>
        <translation>Not sent yet: waiting in the outbox</translation>
    </message>
    <message>
        <source>Not sent, and nothing was kept</source>
        <translation>Not sent, and nothing was kept</translation>
    </message>
    <message>
        <source>Sealed and saved</source>
        <translation>Sealed and saved</translation>
    </message>
    <message>
        <source>Not sealed</source>
        <translation>Not sealed</translation>
    </message>
    <message>
        <source>A relay (%1) holds your sealed testimony and will pass it to the organisation&apos;s server. It waits in the outbox until the server&apos;s receipt comes back; open the outbox later and press &quot;Try again&quot;.</source>
        <translation>A relay (%1) holds your sealed testimony and will pass it to the organisation&apos;s server. It waits in the outbox until the server&apos;s receipt comes back; open the outbox later and press &quot;Try again&quot;.</translation>
    </message>
    <message>
        <source>The sealed testimony is in %1. Whoever carries it cannot read it.</source>
        <translation>The sealed testimony is in %1. Whoever carries it cannot read it.</translation>
    </message>
    <message>
        <source>Nothing was sent. What went wrong:</source>
        <translation>Nothing was sent. What went wrong:</translation>
    </message>
    <message>
        <source>Open the outbox</source>
        <translation>Open the outbox</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>A relay (%1) holds your sealed testimony and will pass it to the organisation&apos;s server. As you asked, nothing is kept on this device, so no receipt will come back here.</source>
        <translation>A relay (%1) holds your sealed testimony and will pass it to the organisation&apos;s server. As you asked, nothing is kept on this device, so no receipt will come back here.</translation>
    </message>
    <message>
        <source>It was not delivered (the reason is below). Your testimony is sealed and waits in the outbox on this device; nobody can read it there. Try again later, or through Tor.</source>
        <translation>It was not delivered (the reason is below). Your testimony is sealed and waits in the outbox on this device; nobody can read it there. Try again later, or through Tor.</translation>
    </message>
    <message>
        <source>It was not delivered (the reason is below), and as you asked, nothing was kept on this device. You can write it again when you are able to connect.</source>
        <translation>It was not delivered (the reason is below), and as you asked, nothing was kept on this device. You can write it again when you are able to connect.</translation>
    </message>
    <message>
        <source>The organisation&apos;s server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. As you asked, the receipt is not kept on this device.</source>
        <translation>The organisation&apos;s server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. As you asked, the receipt is not kept on this device.</translation>
    </message>
    <message>
        <source>The organisation&apos;s server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. The receipt is kept on this device.</source>
        <translation>The organisation&apos;s server has your testimony and signed a receipt: it promises to have it in its public log by %1, and received it in the hour from %2. The receipt is kept on this device.</translation>
    </message>
</context>
<context>
    <name>RepliesPage</name>
    <message>
        <source>Replies</source>
        <translation>Replies</translation>
    </message>
    <message>
        <source>Type the codename you made when you gave your testimony.</source>
        <translation>Type the codename you made when you gave your testimony.</translation>
    </message>
    <message>
        <source>Your codename</source>
        <translation>Your codename</translation>
    </message>
    <message>
        <source>Through Tor</source>
        <translation>Through Tor</translation>
    </message>
    <message>
        <source>Read the replies through Tor</source>
        <translation>Read the replies through Tor</translation>
    </message>
    <message>
        <source>Read replies</source>
        <translation>Read replies</translation>
    </message>
    <message>
        <source>That codename is not right: a word is missing or mistyped.</source>
        <translation>That codename is not right: a word is missing or mistyped.</translation>
    </message>
    <message>
        <source>A relay is fetching your replies; ask again in a few minutes.</source>
        <translation>A relay is fetching your replies; ask again in a few minutes.</translation>
    </message>
    <message>
        <source>The organisation could not be reached.</source>
        <translation>The organisation could not be reached.</translation>
    </message>
    <message>
        <source>No replies yet.</source>
        <translation>No replies yet.</translation>
    </message>
    <message>
        <source>%1 replies:</source>
        <translation>%1 replies:</translation>
    </message>
    <message>
        <source>One reply:</source>
        <translation>One reply:</translation>
    </message>
</context>
<context>
    <name>SendPage</name>
    <message>
        <source>Save the sealed testimony</source>
        <translation>Save the sealed testimony</translation>
    </message>
    <message>
        <source>6. Send</source>
        <translation>6. Send</translation>
    </message>
    <message>
        <source>Your testimony is sealed on this device first; only then does anything leave it.</source>
        <translation>Your testimony is sealed on this device first; only then does anything leave it.</translation>
    </message>
    <message>
        <source>Send directly</source>
        <translation>Send directly</translation>
    </message>
    <message>
        <source>The connection is encrypted, but someone watching your network can see that you connected to the organisation&apos;s server.</source>
        <translation>The connection is encrypted, but someone watching your network can see that you connected to the organisation&apos;s server.</translation>
    </message>
    <message>
        <source>Send through Tor</source>
        <translation>Send through Tor</translation>
    </message>
    <message>
        <source>Tor hides where you are and that you contacted the organisation. Gavah needs Tor&apos;s HTTP tunnel port: add the line &quot;HTTPTunnelPort 9080&quot; to Tor&apos;s settings (torrc) and keep Tor running. Tor Browser&apos;s own port 9150 and Tor&apos;s port 9050 speak SOCKS, which Gavah cannot use.</source>
        <translation>Tor hides where you are and that you contacted the organisation. Gavah needs Tor&apos;s HTTP tunnel port: add the line &quot;HTTPTunnelPort 9080&quot; to Tor&apos;s settings (torrc) and keep Tor running. Tor Browser&apos;s own port 9150 and Tor&apos;s port 9050 speak SOCKS, which Gavah cannot use.</translation>
    </message>
    <message>
        <source>Tor&apos;s HTTP tunnel address</source>
        <translation>Tor&apos;s HTTP tunnel address</translation>
    </message>
    <message>
        <source>Save to a file for someone to carry</source>
        <translation>Save to a file for someone to carry</translation>
    </message>
    <message>
        <source>The file is sealed: whoever carries it cannot read it. They send it with Gavah from a safer place.</source>
        <translation>The file is sealed: whoever carries it cannot read it. They send it with Gavah from a safer place.</translation>
    </message>
    <message>
        <source>Nothing will be kept on this device: if sending fails, you will have to start again.</source>
        <translation>Nothing will be kept on this device: if sending fails, you will have to start again.</translation>
    </message>
    <message>
        <source>Seal and save</source>
        <translation>Seal and save</translation>
    </message>
    <message>
        <source>Seal and send</source>
        <translation>Seal and send</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Sending</translation>
    </message>
    <message>
        <source>The server is busy and asks this device to solve a puzzle first; this can take a few minutes.</source>
        <translation>The server is busy and asks this device to solve a puzzle first; this can take a few minutes.</translation>
    </message>
    <message>
        <source>Not reachable yet; trying again in %1 seconds.</source>
        <translation>Not reachable yet; trying again in %1 seconds.</translation>
    </message>
    <message>
        <source>Sealing and connecting…</source>
        <translation>Sealing and connecting…</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 of %2 sent</translation>
    </message>
    <message>
        <source>, about %1 seconds left</source>
        <translation>, about %1 seconds left</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Stop sending</source>
        <translation>Stop sending</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>Your testimony, sealed on this device</source>
        <translation>Your testimony, sealed on this device</translation>
    </message>
    <message>
        <source>What you write and the files you add are locked here, on your own device, so that only the organisation&apos;s investigators can open them. The server that receives them cannot read them, and neither can anyone watching the network.</source>
        <translation>What you write and the files you add are locked here, on your own device, so that only the organisation&apos;s investigators can open them. The server that receives them cannot read them, and neither can anyone watching the network.</translation>
    </message>
    <message>
        <source>Give testimony</source>
        <translation>Give testimony</translation>
    </message>
    <message>
        <source>Outbox and receipts</source>
        <translation>Outbox and receipts</translation>
    </message>
    <message>
        <source>Read replies</source>
        <translation>Read replies</translation>
    </message>
    <message>
        <source>Keep nothing on this device</source>
        <translation>Keep nothing on this device</translation>
    </message>
    <message>
        <source>If someone comes, press &quot;Leave quickly&quot; (or Escape twice): the window closes at once and what you were writing is gone.</source>
        <translation>If someone comes, press &quot;Leave quickly&quot; (or Escape twice): the window closes at once and what you were writing is gone.</translation>
    </message>
    <message>
        <source>With this chosen, Gavah keeps no copy of what you send, no receipt, and does not remember the organisation (one remembered before is kept). If sending fails, nothing is kept and you will have to start again.</source>
        <translation>With this chosen, Gavah keeps no copy of what you send, no receipt, and does not remember the organisation (one remembered before is kept). If sending fails, nothing is kept and you will have to start again.</translation>
    </message>
</context>
<context>
    <name>TestimonyPage</name>
    <message>
        <source>2. Your testimony</source>
        <translation>2. Your testimony</translation>
    </message>
    <message>
        <source>Write what you saw, heard or know, in your own words and in any language. Take your time; nothing leaves this device until you choose to send it.</source>
        <translation>Write what you saw, heard or know, in your own words and in any language. Take your time; nothing leaves this device until you choose to send it.</translation>
    </message>
    <message>
        <source>Your testimony…</source>
        <translation>Your testimony…</translation>
    </message>
    <message>
        <source>Your testimony</source>
        <translation>Your testimony</translation>
    </message>
    <message>
        <source>Language of the text</source>
        <translation>Language of the text</translation>
    </message>
    <message>
        <source>Persian</source>
        <translation>Persian</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Azerbaijani</source>
        <translation>Azerbaijani</translation>
    </message>
    <message>
        <source>Kurdish</source>
        <translation>Kurdish</translation>
    </message>
    <message>
        <source>Arabic</source>
        <translation>Arabic</translation>
    </message>
    <message>
        <source>Other or mixed</source>
        <translation>Other or mixed</translation>
    </message>
    <message>
        <source>When did it happen? (as you would say it)</source>
        <translation>When did it happen? (as you would say it)</translation>
    </message>
    <message>
        <source>When it happened</source>
        <translation>When it happened</translation>
    </message>
    <message>
        <source>Where did it happen?</source>
        <translation>Where did it happen?</translation>
    </message>
    <message>
        <source>e.g. Evin prison, Tehran</source>
        <translation>e.g. Evin prison, Tehran</translation>
    </message>
    <message>
        <source>Where it happened</source>
        <translation>Where it happened</translation>
    </message>
    <message>
        <source>e.g. summer 1988, late July</source>
        <translation>e.g. summer 1988, late July</translation>
    </message>
</context>
<context>
    <name>gavah::app::Session</name>
    <message>
        <source>This kind of file is not recognised, so its hidden details cannot be checked.</source>
        <translation>This kind of file is not recognised, so its hidden details cannot be checked.</translation>
    </message>
    <message>
        <source>The file is larger than 512 MiB, the most that can be cleaned.</source>
        <translation>The file is larger than 512 MiB, the most that can be cleaned.</translation>
    </message>
    <message>
        <source>The recording is damaged and cannot be read.</source>
        <translation>The recording is damaged and cannot be read.</translation>
    </message>
    <message>
        <source>Hidden details cannot be removed from this kind of recording; an MP4 copy of it can be cleaned.</source>
        <translation>Hidden details cannot be removed from this kind of recording; an MP4 copy of it can be cleaned.</translation>
    </message>
    <message>
        <source>Hidden details cannot be removed from this kind of picture; a JPEG or PNG copy of it can be cleaned.</source>
        <translation>Hidden details cannot be removed from this kind of picture; a JPEG or PNG copy of it can be cleaned.</translation>
    </message>
    <message>
        <source>The picture uses a structure that cannot be cleaned safely.</source>
        <translation>The picture uses a structure that cannot be cleaned safely.</translation>
    </message>
    <message>
        <source>The picture is damaged or cut short, so it cannot be cleaned.</source>
        <translation>The picture is damaged or cut short, so it cannot be cleaned.</translation>
    </message>
    <message>
        <source>Some hidden details could not be read because the picture is damaged.</source>
        <translation>Some hidden details could not be read because the picture is damaged.</translation>
    </message>
    <message>
        <source>The PDF is protected by a password, so it cannot be checked or cleaned.</source>
        <translation>The PDF is protected by a password, so it cannot be checked or cleaned.</translation>
    </message>
    <message>
        <source>The PDF is damaged and cannot be read.</source>
        <translation>The PDF is damaged and cannot be read.</translation>
    </message>
    <message>
        <source>Some hidden details could not be read because the PDF is damaged.</source>
        <translation>Some hidden details could not be read because the PDF is damaged.</translation>
    </message>
    <message>
        <source>The PDF is digitally signed: the signature names its signer and cannot be removed without breaking the document.</source>
        <translation>The PDF is digitally signed: the signature names its signer and cannot be removed without breaking the document.</translation>
    </message>
    <message>
        <source>The PDF has files attached inside it, whose own hidden details cannot be removed.</source>
        <translation>The PDF has files attached inside it, whose own hidden details cannot be removed.</translation>
    </message>
    <message>
        <source>A picture inside the PDF is damaged, so its hidden details cannot be removed.</source>
        <translation>A picture inside the PDF is damaged, so its hidden details cannot be removed.</translation>
    </message>
    <message>
        <source>The file holds %1 more hidden details than can be listed here.</source>
        <translation>The file holds %1 more hidden details than can be listed here.</translation>
    </message>
</context>
</TS>
