import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs

// Step 6: how the sealed testimony leaves this device.
Page {
    id: page
    objectName: "sendPage"
    property var app
    property bool started: false

    function start(file) {
        started = true
        var consent = page.app.consent.slice()
        if (!session.hasCodename) consent = consent.filter(function (t) { return t !== "contact-again" })
        session.send(page.app.testimonyText, page.app.textLanguage, page.app.when, page.app.where,
                     consent, page.app.route, page.app.proxy, file)
    }

    Connections {
        target: session
        function onOutcomeChanged() {
            if (!page.started || session.outcome === "") return
            page.started = false
            // The words are sealed (or refused): the editor keeps nothing once they are out.
            if (session.outcome !== "refused") page.app.testimonyText = ""
            page.app.go("OutcomePage")
        }
    }

    FileDialog {
        id: saver
        objectName: "saveDialog"
        // Never the desktop's own dialog: GTK's records every file chosen in
        // ~/.local/share/recently-used.xbel, which would name the witness's files to whoever
        // looks at the device.
        options: FileDialog.DontUseNativeDialog
        fileMode: FileDialog.SaveFile
        title: qsTr("Save the sealed testimony")
        onAccepted: page.start(selectedFile)
    }

    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 8
            Item { height: 8 }
            Heading { text: qsTr("6. Send") }
            Para { text: qsTr("Your testimony is sealed on this device first; only then does anything leave it.") }
            ButtonGroup { id: routes }
            RadioButton {
                objectName: "routeDirect"
                ButtonGroup.group: routes
                Layout.fillWidth: true
                text: qsTr("Send directly")
                checked: page.app.route === "direct"
                onToggled: if (checked) page.app.route = "direct"
                Accessible.name: text
            }
            Para {
                leftPadding: 32
                opacity: 0.8
                text: qsTr("The connection is encrypted, but someone watching your network can see that you connected to the organisation's server.")
            }
            RadioButton {
                objectName: "routeTor"
                ButtonGroup.group: routes
                Layout.fillWidth: true
                text: qsTr("Send through Tor")
                checked: page.app.route === "tor"
                onToggled: if (checked) page.app.route = "tor"
                Accessible.name: text
            }
            ColumnLayout {
                visible: page.app.route === "tor"
                Layout.fillWidth: true
                Layout.leftMargin: 32
                Para { text: qsTr("Tor hides where you are and that you contacted the organisation. Gavah needs Tor's HTTP tunnel port: add the line \"HTTPTunnelPort 9080\" to Tor's settings (torrc) and keep Tor running. Tor Browser's own port 9150 and Tor's port 9050 speak SOCKS, which Gavah cannot use.") }
                TextField {
                    objectName: "proxyField"
                    Layout.fillWidth: true
                    LayoutMirroring.enabled: false
                    text: page.app.proxy
                    onTextChanged: page.app.proxy = text
                    Accessible.name: qsTr("Tor's HTTP tunnel address")
                }
            }
            RadioButton {
                objectName: "routeFile"
                ButtonGroup.group: routes
                Layout.fillWidth: true
                text: qsTr("Save to a file for someone to carry")
                checked: page.app.route === "file"
                onToggled: if (checked) page.app.route = "file"
                Accessible.name: text
            }
            Para {
                leftPadding: 32
                opacity: 0.8
                text: qsTr("The file is sealed: whoever carries it cannot read it. They send it with Gavah from a safer place.")
            }
            Para {
                visible: session.amnesic
                font.bold: true
                text: qsTr("Nothing will be kept on this device: if sending fails, you will have to start again.")
            }

            Button {
                objectName: "sendButton"
                Layout.fillWidth: true
                visible: !session.busy
                highlighted: true
                text: page.app.route === "file" ? qsTr("Seal and save") : qsTr("Seal and send")
                Accessible.name: text
                onClicked: {
                    if (page.app.route === "file") saver.open()
                    else page.start("")
                }
            }
            ColumnLayout {
                visible: session.busy
                Layout.fillWidth: true
                ProgressBar {
                    objectName: "progress"
                    Layout.fillWidth: true
                    from: 0
                    to: Math.max(1, session.totalBytes)
                    value: session.sentBytes
                    indeterminate: session.totalBytes === 0
                    Accessible.name: qsTr("Sending")
                }
                Label {
                    objectName: "progressText"
                    Layout.fillWidth: true
                    wrapMode: Text.WordWrap
                    text: session.phase === "working"
                          ? qsTr("The server is busy and asks this device to solve a puzzle first; this can take a few minutes.")
                          : session.phase === "waiting" ? qsTr("Not reachable yet; trying again in %1 seconds.").arg(session.number(session.secondsLeft))
                          : session.totalBytes === 0 ? qsTr("Sealing and connecting…")
                          : qsTr("%1 of %2 sent").arg(session.size(session.sentBytes)).arg(session.size(session.totalBytes))
                            + (session.secondsLeft >= 0 ? qsTr(", about %1 seconds left").arg(session.number(session.secondsLeft)) : "")
                }
                Button {
                    objectName: "cancelButton"
                    text: qsTr("Stop")
                    Accessible.name: qsTr("Stop sending")
                    onClicked: session.cancel()
                }
            }
            NavRow {
                showBack: !session.busy
                nextEnabled: false
                visible: !session.busy
                nextText: ""
                onBack: page.app.back()
            }
        }
    }
}
